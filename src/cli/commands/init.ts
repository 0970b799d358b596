import type { Command } from 'commander';
import { initDatabases } from '../../db/connect.js';
import { databaseOptions } from '../global-options.js';
import { action } from '../run-command.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description("create or upgrade hermes' provisioning tables (and Kamailio's with --kamailio-schema)")
    .option('--kamailio-schema', "also create whichever of Kamailio's tables (version, subscriber, domain, domain_attrs, dbaliases) are missing")
    .action(
      action(async (options: { kamailioSchema?: boolean }, command: Command) => {
        const report = await initDatabases({ ...databaseOptions(command), kamailioSchema: options.kamailioSchema });
        const lines: string[] = [];
        if (report.databaseCreated) lines.push('Created the database.');
        if (report.kamailioTablesCreated.length > 0) lines.push(`Created Kamailio tables: ${report.kamailioTablesCreated.join(', ')}.`);
        if (report.provisioningTablesRepaired.length > 0) lines.push(`Recreated provisioning tables dropped by hand (empty): ${report.provisioningTablesRepaired.join(', ')}.`);
        if (report.migrationsApplied.length > 0) lines.push(`Applied provisioning migrations: ${report.migrationsApplied.join(', ')}.`);
        if (lines.length === 0) lines.push('Nothing to do: the database is up to date.');
        process.stdout.write(lines.join('\n') + '\n');
      }),
    );
}
