import { Option, type Command } from 'commander';
import type { OpenOptions } from '../db/connect.js';

/** Options every command accepts, as commander parses them. */
export interface GlobalOptions {
  db?: string;
  provisioningDb?: string;
  debug?: boolean;
}

export function addGlobalOptions(program: Command): Command {
  return program
    .addOption(new Option('--db <url>', 'Kamailio database: sqlite:PATH, mysql://user:pass@host:port/db or postgres://user:pass@host:port/db (default sqlite:hermes.db)').env('HERMES_DB'))
    .addOption(new Option('--provisioning-db <url>', "hermes' provisioning database (default: the Kamailio one)").env('HERMES_PROVISIONING_DB'))
    .option('--debug', 'print stack traces of errors');
}

/** The global options of the program a (sub)command belongs to. */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

export function databaseOptions(command: Command): OpenOptions {
  const { db, provisioningDb } = globalOptions(command);
  return { db, provisioningDb };
}
