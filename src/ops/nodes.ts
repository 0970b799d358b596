import { envelopeOfError, isHermesError } from '../errors.js';
import type { Dbs } from '../db/types.js';
import { addAliases, aliasesOfUser, listAliases, removeAliases } from './aliases.js';
import { formatAddress } from './canonical.js';
import { LOCAL_USER_FIELD_NAMES, REMOTE_ONLY_FIELD_NAMES } from '../model/index.js';
import type { OpContext } from './context.js';
import { OpFailure, failed, type Envelope, type OkEnvelope } from './envelope.js';
import { limited, listLimit } from './list-limit.js';
import { ParamReader, type NodeParams } from './node-params.js';
import { addNumberRange, addNumbers, checkRange, listNumbers, numberInPool, removeNumbers } from './numbers.js';
import { generatePassword } from './password.js';
import { addPhones, listPhones, phonesOfMac, phonesOfUser, removePhones } from './phones.js';
import { phoneConfig } from './provisioning.js';
import { phoneInfo } from './inventory.js';
import type { UserRecord, UserUpdate } from './types.js';
import { addLocalUsers, addRemoteUsers, getUser, listUsers, removeUsers, updateUsers } from './users.js';
import { checkE164, checkMac } from './validate.js';

export type { NodeParams } from './node-params.js';

/** A node of the Hermes API (../shared/seed/api-nodes.txt): its name, whether it changes anything, its parameters. */
export interface NodeDefinition {
  name: string;
  mutates: boolean;
  params: string[];
  /**
   * A documented call (the OpenAPI description's example): its parameters, and the members its
   * ok envelope carries. The examples run in the order of this list against the platform of
   * examples/hermes.yaml, each answering ok (test/nodes-api/openapi.test.ts).
   */
  example: { params: Record<string, string>; returns: string[] };
}

interface Node extends NodeDefinition {
  run(db: Dbs, p: ParamReader, ctx: OpContext): Promise<OkEnvelope>;
}

const USER = ['user', 'username', 'domain'];
const USER_FIELDS = LOCAL_USER_FIELD_NAMES;
const REMOTE_FIELDS = REMOTE_ONLY_FIELD_NAMES;

/** A user record as the caller may see it: the password only with ctx.showSecrets. */
function visible(user: UserRecord, ctx: OpContext): UserRecord {
  if (ctx.showSecrets) return user;
  const { password: _password, ...rest } = user;
  return rest;
}

function text(p: ParamReader, name: string): string | undefined {
  return p.optional(name);
}

const definitions: Node[] = [
  {
    name: 'user/get',
    mutates: false,
    params: ['address', ...USER],
    example: { params: { user: 'alice@example.com' }, returns: ['user'] },
    async run(db, p, ctx) {
      return { response: 'ok', user: await getUser(db, p.user(['address', 'user']), ctx) };
    },
  },
  {
    name: 'user/list',
    mutates: false,
    params: ['search', 'limit'],
    example: { params: { search: '*@example.com' }, returns: ['users'] },
    async run(db, p, ctx) {
      const limit = listLimit(p);
      return { response: 'ok', ...limited('users', await listUsers(db, p.optional('search'), ctx, limit + 1), limit) };
    },
  },
  {
    name: 'user/add_local',
    mutates: true,
    params: [...USER, ...USER_FIELDS],
    example: { params: { user: 'erin@example.com', displayname: 'Erin' }, returns: ['user'] },
    async run(db, p, ctx) {
      const a = p.user();
      const [user] = await addLocalUsers(db, [{ ...a, displayname: text(p, 'displayname'), email: text(p, 'email'), dialplan: text(p, 'dialplan'), linetext: text(p, 'linetext') }], ctx);
      return { response: 'ok', user: visible(user, ctx) };
    },
  },
  {
    name: 'user/add_remote',
    mutates: true,
    params: [...USER, 'password', ...USER_FIELDS, ...REMOTE_FIELDS],
    example: { params: { user: 'frank@sip.partner.net', password: 'Fr4nkS3cret', registrar: 'sip.partner.net', r_port: '5060' }, returns: ['user'] },
    async run(db, p, ctx) {
      const a = p.user();
      const [user] = await addRemoteUsers(
        db,
        [
          {
            ...a,
            password: p.required('password'),
            registrar: p.required('registrar'),
            displayname: text(p, 'displayname'),
            email: text(p, 'email'),
            dialplan: text(p, 'dialplan'),
            linetext: text(p, 'linetext'),
            r_port: p.port('r_port'),
            proxy: p.optional('proxy') || null,
            p_port: p.port('p_port'),
            authid: p.optional('authid') || null,
          },
        ],
        ctx,
      );
      return { response: 'ok', user: visible(user, ctx) };
    },
  },
  {
    name: 'user/remove',
    mutates: true,
    params: USER,
    example: { params: { user: 'erin@example.com' }, returns: ['detail'] },
    async run(db, p, ctx) {
      const a = p.user();
      await removeUsers(db, [a], ctx);
      return { response: 'ok', detail: `Removed ${formatAddress(a)}` };
    },
  },
  {
    name: 'user/gen_pw',
    mutates: false,
    params: [],
    example: { params: {}, returns: ['password'] },
    async run() {
      return { response: 'ok', password: generatePassword() };
    },
  },
  {
    name: 'user/change_pw',
    mutates: true,
    params: [...USER, 'password'],
    example: { params: { user: 'alice@example.com', password: 'N3wS3cret' }, returns: ['user', 'detail'] },
    async run(db, p, ctx) {
      const a = p.user();
      await updateUsers(db, [{ ...a, fields: {}, password: p.required('password') }], ctx);
      return { response: 'ok', user: formatAddress(a), detail: `Changed the password of ${formatAddress(a)}` };
    },
  },
  {
    name: 'user/update',
    mutates: true,
    params: [...USER, ...USER_FIELDS, ...REMOTE_FIELDS],
    example: { params: { user: 'alice@example.com', displayname: 'Alice L.' }, returns: ['user'] },
    async run(db, p, ctx) {
      const a = p.user();
      const fields: UserUpdate['fields'] = {};
      for (const f of USER_FIELDS) {
        const v = p.optional(f);
        if (v !== undefined) fields[f as 'displayname'] = v;
      }
      for (const f of ['registrar', 'proxy', 'authid'] as const) {
        const v = p.optional(f);
        if (v !== undefined) fields[f] = v === '' ? null : v;
      }
      for (const f of ['r_port', 'p_port'] as const) {
        const v = p.port(f);
        if (v !== undefined) fields[f] = v;
      }
      if (Object.keys(fields).length > 0) await updateUsers(db, [{ ...a, fields }], ctx);
      return { response: 'ok', user: await getUser(db, a, ctx) };
    },
  },
  {
    name: 'phone/get',
    mutates: false,
    params: ['mac', ...USER],
    example: { params: { mac: '0004f2abcdef' }, returns: ['mac', 'users', 'lines'] },
    async run(db, p, ctx) {
      if (p.has('mac')) {
        const mac = checkMac(p.required('mac'));
        const lines = await phonesOfMac(db, mac, ctx);
        return { response: 'ok', mac, users: lines.map((l) => l.user), lines };
      }
      if (!p.any(...USER)) throw new OpFailure('invalid', 'mac', "give mac=, or user= (or username and domain)");
      const a = p.user();
      const lines = await phonesOfUser(db, a, ctx);
      return { response: 'ok', user: formatAddress(a), macs: lines.map((l) => l.mac), lines };
    },
  },
  {
    name: 'phone/config',
    mutates: false,
    params: ['mac', 'file'],
    example: { params: { mac: '0004f2abcdef', file: '0004f2abcdef.cfg' }, returns: ['mac', 'files'] },
    async run(db, p, ctx) {
      const mac = checkMac(p.required('mac'));
      const file = p.optional('file');
      const files = await phoneConfig(db, mac, file, ctx);
      return { response: 'ok', mac, files: files.map((f) => ({ name: f.name, content_type: f.contentType, content: f.content })) };
    },
  },
  {
    name: 'phone/info',
    mutates: false,
    params: ['mac'],
    example: { params: { mac: '0004f2abcdef' }, returns: ['mac', 'model', 'profile', 'lines', 'files'] },
    async run(db, p, ctx) {
      return { response: 'ok', ...(await phoneInfo(db, p.required('mac'), ctx)) };
    },
  },
  {
    name: 'phone/list',
    mutates: false,
    params: ['search', 'limit'],
    example: { params: { search: '0004f2*' }, returns: ['phones'] },
    async run(db, p, ctx) {
      const limit = listLimit(p);
      return { response: 'ok', ...limited('phones', await listPhones(db, p.optional('search'), ctx, limit + 1), limit) };
    },
  },
  {
    name: 'phone/add',
    mutates: true,
    params: ['mac', ...USER, 'line'],
    example: { params: { mac: '0015650a0b0c', user: 'frank@sip.partner.net', line: '1' }, returns: ['mac', 'user', 'phones'] },
    async run(db, p, ctx) {
      const mac = checkMac(p.required('mac'));
      const a = p.user();
      await addPhones(db, [{ mac, ...a, line: p.int('line', 1, 1000) }], ctx);
      const lines = await phonesOfMac(db, mac, ctx);
      return { response: 'ok', mac, user: formatAddress(a), phones: lines };
    },
  },
  {
    name: 'phone/remove',
    mutates: true,
    params: ['mac', ...USER],
    example: { params: { mac: '0015650a0b0c', user: 'frank@sip.partner.net' }, returns: ['mac', 'user'] },
    async run(db, p, ctx) {
      const mac = checkMac(p.required('mac'));
      const a = p.user();
      await removePhones(db, [{ mac, ...a }], ctx);
      return { response: 'ok', mac, user: formatAddress(a) };
    },
  },
  {
    name: 'numbers/list',
    mutates: false,
    params: ['search', 'random', 'limit'],
    example: { params: { search: '+47223344*', limit: '5' }, returns: ['numbers'] },
    async run(db, p, ctx) {
      const limit = listLimit(p);
      const numbers = await listNumbers(db, { search: p.optional('search'), random: p.bool('random'), limit: limit + 1 }, ctx);
      return { response: 'ok', ...limited('numbers', numbers, limit) };
    },
  },
  {
    name: 'numbers/add_range',
    mutates: true,
    params: ['start', 'end'],
    example: { params: { start: '+4722335500', end: '+4722335509' }, returns: ['start', 'end', 'added', 'detail'] },
    async run(db, p, ctx) {
      const { start, end } = checkRange(p.required('start'), p.required('end'));
      const added = await addNumberRange(db, start, end, ctx);
      return { response: 'ok', start, end, added, detail: `Added ${added} numbers from ${start} to ${end}` };
    },
  },
  {
    name: 'numbers/add',
    mutates: true,
    params: ['number'],
    example: { params: { number: '+4722335600' }, returns: ['number', 'detail'] },
    async run(db, p, ctx) {
      const number = checkE164(p.required('number'));
      if (await numberInPool(db, number, ctx)) throw failed('exists', `number ${number} is in the pool already`);
      const added = await addNumbers(db, [number], ctx);
      // Added concurrently between the check and the insert: still 'exists'.
      if (added === 0) throw failed('exists', `number ${number} is in the pool already`);
      return { response: 'ok', number, detail: `Added ${number}` };
    },
  },
  {
    name: 'numbers/remove',
    mutates: true,
    params: ['number'],
    example: { params: { number: '+4722335600' }, returns: ['number'] },
    async run(db, p, ctx) {
      const number = checkE164(p.required('number'));
      await removeNumbers(db, [number], ctx);
      return { response: 'ok', number };
    },
  },
  {
    name: 'numbers/inpool',
    mutates: false,
    params: ['number'],
    example: { params: { number: '+4722334410' }, returns: ['number'] },
    async run(db, p, ctx) {
      const number = checkE164(p.required('number'));
      if (!(await numberInPool(db, number, ctx))) throw failed('nonexistant', `number ${number} is not in the pool`);
      return { response: 'ok', number };
    },
  },
  {
    name: 'alias/list',
    mutates: false,
    params: ['search', 'limit'],
    example: { params: { search: '*@example.com' }, returns: ['aliases'] },
    async run(db, p, ctx) {
      const limit = listLimit(p);
      return { response: 'ok', ...limited('aliases', await listAliases(db, p.optional('search'), ctx, limit + 1), limit) };
    },
  },
  {
    name: 'alias/user',
    mutates: false,
    params: ['destination', ...USER, 'e164'],
    example: { params: { user: 'alice@example.com' }, returns: ['destination', 'aliases'] },
    async run(db, p, ctx) {
      const destination = p.user(['destination', 'user'], undefined, 'destination');
      const aliases = await aliasesOfUser(db, destination, { e164: p.bool('e164') }, ctx);
      return { response: 'ok', destination: formatAddress(destination), aliases };
    },
  },
  {
    name: 'alias/add',
    mutates: true,
    params: ['alias', 'alias_username', 'alias_domain', 'destination', ...USER],
    example: { params: { alias: 'support@example.com', destination: 'reception@example.com' }, returns: ['alias', 'destination'] },
    async run(db, p, ctx) {
      const alias = p.user(['alias'], { username: 'alias_username', domain: 'alias_domain' }, 'alias');
      const destination = p.user(['destination', 'user'], undefined, 'destination');
      await addAliases(db, [{ alias_username: alias.username, alias_domain: alias.domain, ...destination }], ctx);
      return { response: 'ok', alias: formatAddress({ username: alias.username, domain: alias.domain.toLowerCase() }), destination: formatAddress({ ...destination, domain: destination.domain.toLowerCase() }) };
    },
  },
  {
    name: 'alias/remove',
    mutates: true,
    params: ['alias', 'alias_username', 'alias_domain'],
    example: { params: { alias: 'support@example.com' }, returns: ['alias'] },
    async run(db, p, ctx) {
      const alias = p.user(['alias'], { username: 'alias_username', domain: 'alias_domain' }, 'address');
      await removeAliases(db, [{ alias_username: alias.username, alias_domain: alias.domain }], ctx);
      return { response: 'ok', alias: formatAddress({ username: alias.username, domain: alias.domain.toLowerCase() }) };
    },
  },
];

/** Every node of the Hermes API by name. */
export const NODES: ReadonlyMap<string, NodeDefinition> = new Map(definitions.map((n) => [n.name, n]));

const RUNNERS: ReadonlyMap<string, Node> = new Map(definitions.map((n) => [n.name, n]));

/**
 * Runs one node and answers its envelope; never throws. An OpFailure becomes its envelope; a
 * unique key violation becomes failed 'exists' (the contract's cause for the race's loser);
 * any other error (a database error) becomes response 'error', cause 'dbfail' without the
 * driver's text, and is handed to ctx.onError for the caller to log.
 */
export async function callNode(db: Dbs, name: string, params: NodeParams, ctx: OpContext): Promise<Envelope> {
  const node = RUNNERS.get(name);
  if (!node) return { response: 'invalid', cause: 'node', detail: `unknown node ${JSON.stringify(String(name).slice(0, 64))}` };
  try {
    return await node.run(db, new ParamReader(params ?? {}), { ...ctx, via: ctx.via ?? name });
  } catch (error) {
    if (error instanceof OpFailure) return error.toEnvelope();
    // A row another writer (e.g. a tool other than hermes) added between the checks and the insert.
    if (db.adapters.kamailio.isUniqueViolation(error) || db.adapters.provisioning.isUniqueViolation(error)) {
      return failed('exists', `${name}: it exists already (written at the same time by another writer)`).toEnvelope();
    }
    try {
      ctx.onError?.(error);
    } catch {
      // A failing logger must not turn into a thrown error.
    }
    // A catalogued condition (a missing table, …) answers its envelope; anything else is dbfail.
    return isHermesError(error) ? envelopeOfError(error) : { response: 'error', cause: 'dbfail', detail: 'database failure' };
  }
}
