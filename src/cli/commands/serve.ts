import type { Server as HttpsServer } from 'node:https';
import { Option, type Command } from 'commander';
import { openDatabases } from '../../db/connect.js';
import { HermesError } from '../../errors.js';
import type { buildApp } from '../../nodes-api/app.js';
import { DEFAULT_LIMITS } from '../../nodes-api/limits.js';
import { DEFAULT_LISTEN, formatListenAddress, isLoopback, parseListenAddress, type ListenAddress } from '../../nodes-api/listen-address.js';
import { hasTokens } from '../../ops/tokens.js';
import { hasProvisioning } from '../../ops/provisioning.js';
import { databaseOptions } from '../global-options.js';
import { action } from '../run-command.js';
import { drain, stopSignal } from '../serve-signals.js';
import { readTls, reloadTlsOnSighup } from '../serve-tls.js';

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
  metricsListen?: string;
  shutdownTimeout: string;
}

/** A whole number option from `min` to `max`, or a usage error naming it. */
function wholeNumber(value: string, option: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new HermesError('USAGE', `${option} "${value}" is not a whole number from ${min} to ${max}`);
  return n;
}

/** Listens, or explains in one line why it cannot. */
async function listenOn(app: { listen(o: { host: string; port: number }): Promise<unknown> }, address: ListenAddress, option: string): Promise<void> {
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
    throw new HermesError('USAGE', `cannot ${option === '--listen' ? 'listen' : `listen (${option})`} on ${formatListenAddress(address)}: ${why}`, { cause: error });
  }
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
    .option('--tls-cert <file>', 'serve HTTPS with this certificate chain (PEM); needs --tls-key; SIGHUP re-reads both')
    .option('--tls-key <file>', 'the private key (PEM) of --tls-cert')
    .option('--metrics-listen <host:port>', 'serve GET /metrics without a token on this address (and not on --listen), e.g. 127.0.0.1:9464')
    .addOption(new Option('--shutdown-timeout <seconds>', 'on SIGTERM, time the requests in flight have to finish before they are cut off').default('10'))
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
        const metricsAddress = options.metricsListen === undefined ? undefined : parseListenAddress(options.metricsListen, '--metrics-listen');
        const shutdownMs = wholeNumber(options.shutdownTimeout, '--shutdown-timeout', 1, 3_600) * 1000;
        const https = readTls(options);
        const connection = await openDatabases({ ...databaseOptions(command), poolSize });
        let app: ReturnType<typeof buildApp> | undefined;
        let metricsServer: ReturnType<typeof buildApp> | undefined;
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
          const [{ buildApp }, { buildMetricsServer }] = await Promise.all([import('../../nodes-api/app.js'), import('../../nodes-api/metrics.js')]);
          app = buildApp(connection, { auth: options.auth ? 'tokens' : 'none', readOnly: options.readOnly, log: { level: options.logLevel }, limits, https, provisioning, metrics: metricsAddress ? 'none' : undefined });
          await listenOn(app, address, '--listen');
          metricsServer = metricsAddress ? buildMetricsServer(app.metrics.registry) : undefined;
          if (metricsServer) await listenOn(metricsServer, metricsAddress!, '--metrics-listen');
          const say = (line: string) => process.stderr.write(`hermes: ${line}\n`);
          const stopReloading = reloadTlsOnSighup(app.server as HttpsServer, https ? options : undefined, say);
          const mode = [options.auth ? 'token auth' : 'NO AUTH (anonymous)', options.readOnly ? 'read-only' : ''].filter(Boolean).join(', ');
          const what = provisioning ? 'the node API and phone provisioning (/provision/)' : 'the node API';
          say(`serving ${what} on ${https ? 'https' : 'http'}://${formatListenAddress(address)} (${mode}); stop with SIGTERM or Ctrl-C`);
          if (provisioning && !https) say('no --tls-cert: files holding credentials go only to clients in provisioning.allow_http');
          const signal = await stopSignal();
          stopReloading();
          say(`${signal}: stopping (waiting up to ${shutdownMs / 1000} s for requests in flight)`);
          const drained = await drain(app, shutdownMs);
          await metricsServer?.close();
          app = metricsServer = undefined;
          if (drained) return 0;
          say(`requests still running after ${shutdownMs / 1000} s were cut off`);
          // A database call that never returns must not keep the process past the bound.
          setTimeout(() => process.exit(1), 1_000).unref();
          return 1;
        } finally {
          if (app) await app.close().catch(() => undefined);
          if (metricsServer) await metricsServer.close().catch(() => undefined);
          await connection.close();
        }
      }),
    );
}
