import type { Command } from 'commander';

// Placeholder: the 'export' command is being built (see the open issues).
export function registerExport(program: Command): void {
  program.command('export').description('(not yet available)').action(() => {
    process.stderr.write('hermes: the export command is not available yet\n');
    process.exitCode = 1;
  });
}
