import type { Command } from 'commander';
import { displayMac } from '../../model/index.js';
import { OpFailure, phoneConfig, phoneFileNames, provisionStatus } from '../../ops/index.js';
import { resolveActor } from '../actor.js';
import { action, withDatabases } from '../run-command.js';

/** Runs an op; a failure (not provisioned, no such file) is one line on stderr and exit 1. */
async function run(command: Command, fn: Parameters<typeof withDatabases<string>>[1]): Promise<number> {
  try {
    process.stdout.write(await withDatabases(command, fn, { readOnly: true }));
    return 0;
  } catch (error) {
    if (!(error instanceof OpFailure)) throw error;
    process.stderr.write(`hermes: ${error.detail}\n`);
    return 1;
  }
}

export function registerProvision(program: Command): void {
  const provision = program.command('provision').description("a provisioned phone's files, rendered from the applied state (the database)");
  provision
    .command('render')
    .description('print the files a phone gets (passwords masked unless --show-secrets)')
    .argument('<mac>', "the phone's MAC address")
    .argument('[file]', 'only this file (its name as the phone asks for it)')
    .option('--show-secrets', 'print the lines\' passwords', false)
    .action(
      action(async (mac: string, file: string | undefined, options: { showSecrets: boolean }, command: Command) =>
        run(command, async (db) => {
          const files = await phoneConfig(db, mac, file, { actor: resolveActor(), showSecrets: options.showSecrets });
          if (file !== undefined) return files[0].content;
          return files.map((f) => `==> ${f.name} <==\n${f.content}${f.content.endsWith('\n') ? '' : '\n'}`).join('\n');
        }),
      ),
    );
  provision
    .command('files')
    .description('list the names of the files a phone may fetch')
    .argument('<mac>', "the phone's MAC address")
    .action(action(async (mac: string, _options: unknown, command: Command) => run(command, async (db) => (await phoneFileNames(db, mac)).map((n) => `${n}\n`).join(''))));
  provision
    .command('status')
    .description('the phones that never fetched their files, and those whose files changed since their last fetch')
    .option('--json', 'print the status as JSON', false)
    .action(
      action(async (options: { json: boolean }, command: Command) =>
        run(command, async (db) => {
          const status = await provisionStatus(db, { actor: resolveActor() });
          if (options.json) return `${JSON.stringify({ never_fetched: status.neverFetched, changed: status.changed, current: status.current }, null, 2)}\n`;
          const out = [
            ...status.neverFetched.map((p) => `never fetched  ${displayMac(p.mac)}  ${p.model}\n`),
            ...status.changed.map((p) => `changed        ${displayMac(p.mac)}  ${p.model}  ${p.files.join(', ')}\n`),
          ];
          return `${out.join('')}${status.neverFetched.length} never fetched, ${status.changed.length} changed since their last fetch, ${status.current} current\n`;
        }),
      ),
    );
}
