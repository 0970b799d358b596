import type { Command } from 'commander';

// Placeholder: the 'apply' command is being built (see the open issues).
export function registerApply(program: Command): void {
  program.command('apply').description('(not yet available)').action(() => {
    process.stderr.write('hermes: the apply command is not available yet\n');
    process.exitCode = 1;
  });
}
