#!/usr/bin/env node
import { Command } from 'commander';
import { addGlobalOptions } from './global-options.js';
import { reportError } from './run-command.js';
import { packageVersion } from './package-version.js';

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when it runs: a command imports only its own
 * dependencies (`hermes call` neither the YAML loader and its JSON schema validator nor the
 * template engine), which makes each process start faster. Help and unknown commands load all.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  init: async () => (await import('./commands/init.js')).registerInit,
  validate: async () => (await import('./commands/validate.js')).registerValidate,
  plan: async () => (await import('./commands/plan.js')).registerPlan,
  apply: async () => (await import('./commands/apply.js')).registerApply,
  export: async () => (await import('./commands/export.js')).registerExport,
  log: async () => (await import('./commands/log.js')).registerLog,
  provision: async () => (await import('./commands/provision.js')).registerProvision,
  call: async () => (await import('./commands/call.js')).registerCall,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  token: async () => (await import('./commands/token.js')).registerToken,
};

/** The program with the command `argv` names, or with every command (help, an unknown name). */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command('hermes')
    .description('Manage a Kamailio SIP platform as code: validate, plan and apply YAML; serve the Hermes node API')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run hermes --help for usage)')
    .enablePositionalOptions(false);
  addGlobalOptions(program);
  const name = argv[2];
  const wanted = name !== undefined && Object.hasOwn(COMMANDS, name) ? [COMMANDS[name]] : Object.values(COMMANDS);
  for (const register of await Promise.all(wanted.map((load) => load()))) register(program);
  program.commands.forEach((command) => addGlobalOptionsTo(command));
  return program;
}

/** Global options are accepted after the subcommand too (hermes plan --db URL). */
function addGlobalOptionsTo(command: Command): void {
  addGlobalOptions(command);
  command.commands.forEach((sub) => addGlobalOptionsTo(sub));
}

async function main(): Promise<void> {
  const program = await buildProgram();
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
