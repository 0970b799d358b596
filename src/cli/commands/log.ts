import type { Command } from 'commander';

// Placeholder: the 'log' command is being built (see the open issues).
export function registerLog(program: Command): void {
  program.command('log').description('(not yet available)').action(() => {
    process.stderr.write('hermes: the log command is not available yet\n');
    process.exitCode = 1;
  });
}
