import { Option, type Command } from 'commander';
import { HermesError } from '../../errors.js';
import { auditLine, readAuditLog } from '../../reconcile/audit-log.js';
import { action, withDatabases, writeChunks } from '../run-command.js';

export function registerLog(program: Command): void {
  program
    .command('log')
    .description('show the audit log: every change (action, kind, key) with its time, actor and source, newest first')
    .option('--limit <n>', 'how many entries', '50')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      action(async (options: { limit: string; format: 'text' | 'json' }, command: Command) => {
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new HermesError('USAGE', `--limit must be a positive integer, not "${options.limit}"`);
        const entries = await withDatabases(command, (db) => readAuditLog(db.provisioning, { limit }));
        if (options.format === 'json') {
          await writeChunks(process.stdout, [JSON.stringify(entries, null, 2) + '\n'], 'the audit log');
          return 0;
        }
        if (entries.length === 0) {
          process.stdout.write('The audit log is empty.\n');
          return 0;
        }
        await writeChunks(process.stdout, entries.map((e) => `${auditLine(e)}\n`), 'the audit log');
        return 0;
      }),
    );
}
