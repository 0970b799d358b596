import type { Command } from 'commander';

// Placeholder: the 'validate' command is being built (see the open issues).
export function registerValidate(program: Command): void {
  program.command('validate').description('(not yet available)').action(() => {
    process.stderr.write('hermes: the validate command is not available yet\n');
    process.exitCode = 1;
  });
}
