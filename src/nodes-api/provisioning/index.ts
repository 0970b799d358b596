/**
 * The provisioning server: `GET /provision/<file>` hands a phone the files its firmware asks
 * for, rendered from the applied state at request time (docs/provisioning.md, "The server").
 * A Fastify plugin, registered by buildApp when the applied state has provisioning; the node
 * API's token authentication and request log do not apply to its routes (config public, quiet).
 *
 * Each request, in order: provisioning.allow (403), a lock-out after too many failures (429),
 * HTTP Basic (or Digest, when the server has the password) credentials (401, whatever the MAC), the file (404, counted as a failure), TLS or
 * provisioning.allow_http for credential files (403), the User-Agent's MAC (403), the file.
 * One log line per request: time, client, MAC, file, status, never a credential or content.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dbs } from '../../db/types.js';
import { FetchRecorder, INVENTORY_DELAY_MS } from '../../ops/index.js';
import { ProvisioningFiles, type ProvisioningAccess, type ProvisioningSnapshot } from '../../ops/provisioning-serve.js';
import { DigestAuth, digestParams } from './digest.js';
import { AddressRules, basicCredentials, macOfUserAgent, plainAddress, PROVISIONING_ROUTE } from './access.js';
import { FailureLimiter, type FailureLimits } from './failures.js';
import { registerUploads } from './uploads.js';

export interface ProvisioningServerOptions {
  dbs: Dbs;
  /** Failed authentications and unknown files per client address before 429 (defaults: FailureLimiter's). */
  failures?: Partial<FailureLimits>;
  /** The inventory's writes are batched this long (ms; default INVENTORY_DELAY_MS); 0: each fetch is written before its answer. */
  inventoryDelayMs?: number;
  /**
   * The provisioning password in plain text (HERMES_PROVISIONING_PASSWORD): then HTTP Digest is
   * offered beside Basic, and a Digest answer counts while this password matches the stored hash.
   */
  digestPassword?: string;
}

const REALM = 'hermes provisioning';

/** The per-request state of the log line. */
interface Outcome {
  client: string;
  mac?: string;
  file: string;
}

/** Sends a one-line plain-text answer. */
function refuse(reply: FastifyReply, status: number, reason: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(`${reason}\n`);
}

/** The handler of GET /provision/<file>. */
function serveFile(checks: ClientChecks, inventory: FetchRecorder) {
  const { files, rules } = checks;
  return async (request: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
    const name = request.params['*'];
    const outcome: Outcome = { client: plainAddress(request.ip), file: name.slice(0, 128) };
    (request as { provisioningOutcome?: Outcome }).provisioningOutcome = outcome;
    const snapshot = await files.snapshot(name, basicCredentials(request.headers.authorization));
    if (!snapshot.provisioned) return refuse(reply, 404, 'this server provisions no phones');
    const denied = await checkClient(request, reply, snapshot, checks);
    if (denied) return denied;
    outcome.mac = snapshot.mac;
    const found = await files.file(snapshot, name, { actor: 'provisioning', showSecrets: true });
    if (found.found !== 'file') {
      const limited = await checks.failures.fail(request, reply);
      return limited ?? refuse(reply, 404, found.found === 'no-phone' ? `no phone ${found.mac} is provisioned here` : `there is no file ${outcome.file}`);
    }
    const file = found.file;
    if (file.secret && request.protocol !== 'https' && !rules.httpAllowed(snapshot.access, outcome.client)) {
      return refuse(reply, 403, `${outcome.file} holds credentials: fetch it over HTTPS (plain HTTP only from provisioning.allow_http)`);
    }
    const uaMac = macOfUserAgent(request.headers['user-agent']);
    if (file.mac !== undefined && uaMac !== undefined && uaMac !== file.mac) return refuse(reply, 403, `the User-Agent names another phone than ${outcome.file}`);
    if (file.mac !== undefined) await inventory.add({ mac: file.mac, file: file.name, client: outcome.client, userAgent: String(request.headers['user-agent'] ?? ''), hash: file.hash });
    return reply
      .code(200)
      .header('content-type', file.contentType)
      .header('cache-control', file.secret ? 'no-store' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(file.content);
  };
}

interface ClientChecks {
  files: ProvisioningFiles;
  rules: AddressRules;
  failures: FailureLimiter;
  digest?: { auth: DigestAuth; password: string };
}

/** Whether the request carries the provisioning credentials (Basic, or Digest when offered); undefined: it carries none. */
function authenticated(request: FastifyRequest, access: ProvisioningAccess, ctx: ClientChecks): boolean | undefined {
  const header = request.headers.authorization;
  const digest = ctx.digest && digestParams(header);
  if (ctx.digest && digest) {
    const user = ctx.digest.auth.verify(digest, request, ctx.digest.password);
    return user !== undefined && ctx.files.checkCredentials(access, user, ctx.digest.password);
  }
  const basic = basicCredentials(header);
  return basic ? ctx.files.checkCredentials(access, basic.user, basic.password) : header === undefined ? undefined : false;
}

/** provisioning.allow, the failure lock-out and the credentials: a reply when the client may not go on. */
async function checkClient(request: FastifyRequest, reply: FastifyReply, snapshot: ProvisioningSnapshot, ctx: ClientChecks): Promise<FastifyReply | undefined> {
  const client = plainAddress(request.ip);
  if (!ctx.rules.allowed(snapshot.access, client)) return refuse(reply, 403, `client ${client} is not in provisioning.allow`);
  const locked = ctx.failures.locked(request, reply);
  if (locked) return locked;
  if (!snapshot.access.auth) return refuse(reply, 403, 'provisioning.auth is not set: this server hands out no files without credentials');
  const ok = authenticated(request, snapshot.access, ctx);
  if (ok) return undefined;
  const limited = await ctx.failures.fail(request, reply);
  if (limited) return limited;
  const basic = `Basic realm="${REALM}", charset="UTF-8"`;
  reply.header('www-authenticate', ctx.digest ? [ctx.digest.auth.challenge(), basic] : basic);
  return refuse(reply, 401, ok === false ? 'the credentials are not valid' : `send the provisioning credentials (HTTP ${ctx.digest ? 'Digest or ' : ''}Basic)`);
}

/** Log levels at which the info line is not written (then it is not built either). */
const ABOVE_INFO = new Set(['warn', 'error', 'fatal', 'silent']);

/** The one log line of a provisioning request (fail2ban reads it: docs/provisioning.md). */
async function logLine(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const outcome = (request as { provisioningOutcome?: Outcome }).provisioningOutcome;
  if (!outcome || ABOVE_INFO.has(request.log.level)) return;
  request.log.info({ at: new Date().toISOString(), client: outcome.client, mac: outcome.mac ?? '-', file: outcome.file, status: reply.statusCode }, 'provisioning');
}

/** The plugin: GET and PUT /provision/*, in their own context (own body parsers, own rate limiter). */
export async function provisioningServer(app: FastifyInstance, options: ProvisioningServerOptions): Promise<void> {
  const files = new ProvisioningFiles(options.dbs);
  const rules = new AddressRules();
  await app.register(rateLimit, { global: false });
  const failures = new FailureLimiter(app, options.failures);
  // A failure to record a fetch is logged; the phone still gets its file.
  const inventory = new FetchRecorder(options.dbs, options.inventoryDelayMs ?? INVENTORY_DELAY_MS, (error) => app.log.error({ err: error }, 'provisioning: fetches could not be recorded'));
  app.addHook('onClose', () => inventory.flush());
  app.addHook('onResponse', logLine);
  const checks: ClientChecks = { files, rules, failures, ...(options.digestPassword ? { digest: { auth: new DigestAuth(REALM), password: options.digestPassword } } : {}) };
  app.get('/provision/*', { config: PROVISIONING_ROUTE }, serveFile(checks, inventory));
  registerUploads(app, { files, check: (request, reply, snapshot) => checkClient(request, reply, snapshot, checks) });
}
