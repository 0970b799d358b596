import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { Option, type Command } from 'commander';
import { openDatabases } from '../../db/connect.js';
import { HermesError } from '../../errors.js';
import type { buildApp } from '../../nodes-api/app.js';
import { DEFAULT_LIMITS } from '../../nodes-api/limits.js';
import { DEFAULT_LISTEN, formatListenAddress, isLoopback, parseListenAddress } from '../../nodes-api/listen-address.js';
import { hasTokens } from '../../ops/tokens.js';
import { hasProvisioning } from '../../ops/provisioning-serve.js';
import { databaseOptions } from '../global-options.js';
import { action } from '../run-command.js';

interface ServeOptions {
  listen: string;
  auth: boolean;
  readOnly?: boolean;
  poolSize: string;
  logLevel: string;
  maxConnections: string;
  requestTimeout: string;
  tlsCert?: string;
  tlsKey?: string;
}

/** A whole number option from `min` to `max`, or a usage error naming it. */
function wholeNumber(value: string, option: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new HermesError('USAGE', `${option} "${value}" is not a whole number from ${min} to ${max}`);
  return n;
}

/** The TLS certificate and key of --tls-cert/--tls-key (both or neither), read now. */
function readTls(options: ServeOptions): { cert: Buffer; key: Buffer } | undefined {
  if (options.tlsCert === undefined && options.tlsKey === undefined) return undefined;
  if (options.tlsCert === undefined || options.tlsKey === undefined) throw new HermesError('USAGE', `${options.tlsCert === undefined ? '--tls-key' : '--tls-cert'} needs ${options.tlsCert === undefined ? '--tls-cert' : '--tls-key'} too`);
  const read = (file: string, option: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new HermesError('USAGE', `${option} ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
    }
  };
  const tls = { cert: read(options.tlsCert, '--tls-cert'), key: read(options.tlsKey, '--tls-key') };
  try {
    createSecureContext(tls);
  } catch (error) {
    throw new HermesError('USAGE', `--tls-cert and --tls-key are not a usable PEM certificate and key: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  return tls;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the Hermes node API over HTTP (Authorization: Bearer TOKEN; see hermes token)')
    .addOption(new Option('--listen <host:port>', 'address to listen on').default(DEFAULT_LISTEN).env('HERMES_LISTEN'))
    .option('--no-auth', 'accept requests without a token, as "anonymous" with write scope (loopback addresses only)')
    .option('--read-only', "answer every mutating node with failed/readonly (when git is the only source of truth)")
    .addOption(new Option('--pool-size <n>', 'MySQL connections in the pool').default('24'))
    .addOption(new Option('--max-connections <n>', 'open connections at once; more are closed as they arrive').default(String(DEFAULT_LIMITS.maxConnections)).env('HERMES_MAX_CONNECTIONS'))
    .addOption(new Option('--request-timeout <seconds>', 'time a client has to send a whole request (headers: at most 10 s)').default(String(DEFAULT_LIMITS.requestTimeout / 1000)))
    .option('--tls-cert <file>', 'serve HTTPS with this certificate chain (PEM); needs --tls-key')
    .option('--tls-key <file>', 'the private key (PEM) of --tls-cert')
    .addOption(new Option('--log-level <level>', 'request log level (JSON lines on stdout)').choices(LOG_LEVELS).default('info'))
    .action(
      action(async (options: ServeOptions, command: Command) => {
        const address = parseListenAddress(options.listen);
        if (!options.auth && !isLoopback(address.host)) {
          throw new HermesError(
            'USAGE',
            `--no-auth is only allowed on a loopback address (127.0.0.1, ::1, localhost), not ${address.host}: create a token with \`hermes token create NAME --scope read|write\``,
          );
        }
        const poolSize = wholeNumber(options.poolSize, '--pool-size', 1, 256);
        const limits = {
          maxConnections: wholeNumber(options.maxConnections, '--max-connections', 1, 1_000_000),
          requestTimeout: wholeNumber(options.requestTimeout, '--request-timeout', 1, 3_600) * 1000,
        };
        const https = readTls(options);
        const connection = await openDatabases({ ...databaseOptions(command), poolSize });
        let app: ReturnType<typeof buildApp> | undefined;
        try {
          // HERMES_PROVISIONING_PASSWORD: the provisioning password in plain text, so that phones may use HTTP Digest.
          const digestPassword = process.env.HERMES_PROVISIONING_PASSWORD || undefined;
          const provisioning = (await hasProvisioning(connection)) ? { digestPassword } : undefined;
          // Phones authenticate with provisioning.auth: a provisioning server needs no API token.
          if (options.auth && !provisioning && !(await hasTokens(connection))) {
            throw new HermesError(
              'USAGE',
              'no API token exists, so no client could call the server: create one with `hermes token create NAME --scope read|write` (or use --no-auth on a loopback address)',
            );
          }
          // Loaded here: Fastify costs the other commands' start-up ~0.2 s they need not pay.
          const { buildApp } = await import('../../nodes-api/app.js');
          app = buildApp(connection, { auth: options.auth ? 'tokens' : 'none', readOnly: options.readOnly, log: { level: options.logLevel }, limits, provisioning, https });
          try {
            await app.listen({ host: address.host, port: address.port });
          } catch (error) {
            const code = (error as { code?: string }).code;
            const why =
              code === 'EADDRINUSE' ? 'the address is in use'
              : code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)'
              : code === 'EADDRNOTAVAIL' ? 'the address is not on this machine'
              : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'the host name is unknown'
              : (error as Error).message;
            throw new HermesError('USAGE', `cannot listen on ${formatListenAddress(address)}: ${why}`, { cause: error });
          }
          const mode = [options.auth ? 'token auth' : 'NO AUTH (anonymous)', options.readOnly ? 'read-only' : ''].filter(Boolean).join(', ');
          const what = provisioning ? 'the node API and phone provisioning (/provision/)' : 'the node API';
          process.stderr.write(`hermes: serving ${what} on ${https ? 'https' : 'http'}://${formatListenAddress(address)} (${mode}); stop with SIGTERM or Ctrl-C\n`);
          if (provisioning && !https) process.stderr.write('hermes: no --tls-cert: files holding credentials go only to clients in provisioning.allow_http\n');
          const signal = await new Promise<NodeJS.Signals>((resolve) => {
            process.once('SIGTERM', () => resolve('SIGTERM'));
            process.once('SIGINT', () => resolve('SIGINT'));
          });
          process.stderr.write(`hermes: ${signal}: stopping\n`);
          await app.close();
          app = undefined;
          return 0;
        } finally {
          if (app) await app.close().catch(() => undefined);
          await connection.close();
        }
      }),
    );
}
