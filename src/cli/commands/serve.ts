import type { Command } from 'commander';

// Placeholder: the 'serve' command is being built (see the open issues).
export function registerServe(program: Command): void {
  program.command('serve').description('(not yet available)').action(() => {
    process.stderr.write('hermes: the serve command is not available yet\n');
    process.exitCode = 1;
  });
}
