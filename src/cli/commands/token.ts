import type { Command } from 'commander';

// Placeholder: the 'token' command is being built (see the open issues).
export function registerToken(program: Command): void {
  program.command('token').description('(not yet available)').action(() => {
    process.stderr.write('hermes: the token command is not available yet\n');
    process.exitCode = 1;
  });
}
