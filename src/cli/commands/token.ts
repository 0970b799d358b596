import { Option, type Command } from 'commander';
import { OpFailure } from '../../ops/envelope.js';
import { TOKEN_SCOPES, createToken, listTokens, revokeToken } from '../../ops/tokens.js';
import { resolveActor } from '../actor.js';
import { ExitCode, action, withDatabases } from '../run-command.js';

/** An op's failure as one line on stderr and exit 1. */
async function orFail<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof OpFailure) {
      process.stderr.write(`hermes: ${error.detail}\n`);
      throw new ExitCode(1);
    }
    throw error;
  }
}

export function registerToken(program: Command): void {
  const token = program
    .command('token')
    .description('manage the API tokens of hermes serve (only their hashes are stored)');

  token
    .command('create <name>')
    .description('create a token and print it once, alone on the last line')
    .addOption(new Option('--scope <scope>', 'read: read nodes only; write: every node, and passwords in answers; provision: read nodes, and passwords only in phone/config; metrics: GET /metrics only').choices([...TOKEN_SCOPES]).makeOptionMandatory())
    .action(
      action(async (name: string, options: { scope: string }, command: Command) =>
        withDatabases(command, async (db) => {
          const created = await orFail(() => createToken(db, { name, scope: options.scope }, { actor: resolveActor() }));
          process.stdout.write(
            `Created token "${created.name}" with ${created.scope} scope. Store it now; it cannot be shown again:\n${created.token}\n`,
          );
        }),
      ),
    );

  token
    .command('list')
    .description('list tokens: name, scope, creation time (never the token)')
    .option('--json', 'print a JSON array')
    .action(
      action(async (options: { json?: boolean }, command: Command) =>
        withDatabases(command, async (db) => {
          const tokens = await listTokens(db);
          if (options.json) {
            process.stdout.write(JSON.stringify(tokens, null, 2) + '\n');
            return;
          }
          if (tokens.length === 0) {
            process.stdout.write('No tokens. Create one with: hermes token create NAME --scope read|write\n');
            return;
          }
          const rows = [['NAME', 'SCOPE', 'CREATED'], ...tokens.map((t) => [t.name, t.scope, t.created])];
          const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i].length)));
          process.stdout.write(rows.map((r) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}`).join('\n') + '\n');
        }),
      ),
    );

  token
    .command('revoke <name>')
    .description('revoke a token (a running server stops accepting it within seconds)')
    .action(
      action(async (name: string, _options: unknown, command: Command) =>
        withDatabases(command, async (db) => {
          await orFail(() => revokeToken(db, name, { actor: resolveActor() }));
          process.stdout.write(`Revoked token "${name}".\n`);
        }),
      ),
    );
}
