import type { Command } from 'commander';
import { callNode, NODES, type Envelope } from '../../ops/index.js';
import type { NodeParams } from '../../ops/node-params.js';
import { resolveActor } from '../actor.js';
import { globalOptions } from '../global-options.js';
import { action, withDatabases } from '../run-command.js';

/** key=value arguments as node parameters; a repeated key becomes an array (the node answers invalid). */
export function parseCallArguments(args: readonly string[]): { params: NodeParams } | { envelope: Envelope } {
  const params: NodeParams = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      const name = (eq === 0 ? '' : arg).slice(0, 64) || 'parameter';
      return { envelope: { response: 'invalid', cause: name, detail: `argument ${JSON.stringify(arg.slice(0, 64))} is not key=value` } };
    }
    const key = arg.slice(0, eq);
    const value = arg.slice(eq + 1);
    const prior = params[key];
    params[key] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  return { params };
}

export function registerCall(program: Command): void {
  program
    .command('call')
    .description('run one API node against the database and print its JSON envelope (exit 0 for ok, 1 otherwise)')
    .argument('<node>', `the node, e.g. user/get (one of: ${[...NODES.keys()].join(', ')})`)
    .argument('[params...]', 'parameters as key=value, e.g. user=alice@example.com')
    .addHelpText('after', '\nExample:\n  hermes call user/get user=alice@example.com\n  hermes call numbers/add_range start=+4722000000 end=+4722000999\n')
    .action(
      action(async (node: string, args: string[], _options: unknown, command: Command) => {
        const print = (envelope: Envelope) => {
          process.stdout.write(JSON.stringify(envelope, null, 2) + '\n');
          return envelope.response === 'ok' ? 0 : 1;
        };
        if (!NODES.has(node)) return print({ response: 'invalid', cause: 'node', detail: `unknown node ${JSON.stringify(node.slice(0, 64))}: one of ${[...NODES.keys()].join(', ')}` });
        const parsed = parseCallArguments(args);
        if ('envelope' in parsed) return print(parsed.envelope);
        const debug = Boolean(globalOptions(command).debug);
        const envelope = await withDatabases(command, (db) =>
          callNode(db, node, parsed.params, {
            actor: resolveActor(),
            showSecrets: true,
            onError: (error) => {
              const message = error instanceof Error ? error.message : String(error);
              process.stderr.write(`hermes: database failure: ${message.split('\n')[0]}\n`);
              if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
            },
          }),
        );
        return print(envelope);
      }),
    );
}
