import type { Command } from 'commander';

// Placeholder: the 'call' command is being built (see the open issues).
export function registerCall(program: Command): void {
  program.command('call').description('(not yet available)').action(() => {
    process.stderr.write('hermes: the call command is not available yet\n');
    process.exitCode = 1;
  });
}
