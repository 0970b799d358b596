import type { Command } from 'commander';

// Placeholder: the 'plan' command is being built (see the open issues).
export function registerPlan(program: Command): void {
  program.command('plan').description('(not yet available)').action(() => {
    process.stderr.write('hermes: the plan command is not available yet\n');
    process.exitCode = 1;
  });
}
