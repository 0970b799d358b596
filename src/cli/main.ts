#!/usr/bin/env node
import { Command } from 'commander';
import { registerApply } from './commands/apply.js';
import { registerCall } from './commands/call.js';
import { registerExport } from './commands/export.js';
import { registerInit } from './commands/init.js';
import { registerLog } from './commands/log.js';
import { registerPlan } from './commands/plan.js';
import { registerProvision } from './commands/provision.js';
import { registerServe } from './commands/serve.js';
import { registerToken } from './commands/token.js';
import { registerValidate } from './commands/validate.js';
import { addGlobalOptions } from './global-options.js';
import { reportError } from './run-command.js';
import { packageVersion } from './package-version.js';

export function buildProgram(): Command {
  const program = new Command('hermes')
    .description('Manage a Kamailio SIP platform as code: validate, plan and apply YAML; serve the Hermes node API')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run hermes --help for usage)')
    .enablePositionalOptions(false);
  addGlobalOptions(program);
  for (const register of [registerInit, registerValidate, registerPlan, registerApply, registerExport, registerLog, registerProvision, registerCall, registerServe, registerToken]) {
    register(program);
  }
  program.commands.forEach((command) => addGlobalOptionsTo(command));
  return program;
}

/** Global options are accepted after the subcommand too (hermes plan --db URL). */
function addGlobalOptionsTo(command: Command): void {
  addGlobalOptions(command);
  command.commands.forEach((sub) => addGlobalOptionsTo(sub));
}

async function main(): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    const e = error as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      // commander already printed the message (or help/version).
      process.exitCode = e.exitCode ?? 1;
      return;
    }
    process.exitCode = reportError(error, process.argv.includes('--debug'));
  }
}

await main();
