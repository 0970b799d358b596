import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { authorizationHeader, parseChallenge } from './digest.js';

/**
 * A minimal SIP user agent over UDP (RFC 3261) for the end-to-end suite: non-INVITE client
 * transactions with retransmission (timer E, doubling from T1) and a hard timeout, REGISTER
 * with MD5 digest authentication (RFC 2617, qop=auth when offered), and OPTIONS/MESSAGE.
 */

export interface SipResponse {
  status: number;
  reason: string;
  /** Header values by lower-case name (compact forms expanded), in order. */
  headers: Map<string, string[]>;
  raw: string;
}

export function header(response: SipResponse, name: string): string | undefined {
  return response.headers.get(name.toLowerCase())?.[0];
}

export interface RegisterResult {
  /** The final response to the last REGISTER sent. */
  final: SipResponse;
  /** The challenge answered, when the first REGISTER got 401/407. */
  challenge?: SipResponse;
  /** How many REGISTER requests (transactions) were sent: 1 or 2. */
  attempts: number;
}

export interface RegisterOptions {
  /** The address of record user and domain (From/To). */
  username: string;
  domain: string;
  password: string;
  /** The digest username: default `username`; `username@domain` makes Kamailio use ha1b. */
  authUsername?: string;
  expires?: number;
}

const COMPACT: Record<string, string> = {
  v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type', k: 'supported', s: 'subject', e: 'content-encoding',
};

const T1 = 250;

export function parseResponse(raw: string): SipResponse | undefined {
  const [head] = raw.split('\r\n\r\n');
  const lines = head!.split('\r\n');
  const status = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
  if (!status) return undefined;
  const headers = new Map<string, string[]>();
  let last: string | undefined;
  for (const line of lines.slice(1)) {
    if (/^[ \t]/.test(line) && last) {
      const values = headers.get(last)!;
      values[values.length - 1] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    let name = line.slice(0, colon).trim().toLowerCase();
    name = COMPACT[name] ?? name;
    const value = line.slice(colon + 1).trim();
    if (!headers.has(name)) headers.set(name, []);
    headers.get(name)!.push(value);
    last = name;
  }
  return { status: Number(status[1]), reason: status[2] ?? '', headers, raw };
}

const token = (bytes = 8) => randomBytes(bytes).toString('hex');

/** A request the client received (e.g. Kamailio's NOTIFY): its method, URI and headers. */
export interface SipRequest {
  method: string;
  uri: string;
  headers: Map<string, string[]>;
  raw: string;
}

/** Parses a request's start line and headers (the same header grammar as responses). */
export function parseRequest(raw: string): SipRequest | undefined {
  const start = /^([A-Z]+) (\S+) SIP\/2\.0\r\n/.exec(raw);
  if (!start) return undefined;
  const asResponse = parseResponse(`SIP/2.0 200 X${raw.slice(raw.indexOf('\r\n'))}`);
  return asResponse && { method: start[1], uri: start[2], headers: asResponse.headers, raw };
}

export class SipClient {
  private readonly pending = new Map<string, (response: SipResponse) => void>();
  private cseq = 1;
  /** Requests received, in order; each was answered 200 OK. */
  readonly received: SipRequest[] = [];

  private constructor(
    private readonly socket: Socket,
    readonly server: { host: string; port: number },
    readonly local: { host: string; port: number },
    /** A missing final response fails after this many milliseconds. */
    readonly timeoutMs: number,
  ) {
    socket.on('message', (message, from) => {
      const request = parseRequest(message.toString('utf8'));
      if (request) {
        this.received.push(request);
        this.answer(request, from);
        return;
      }
      const response = parseResponse(message.toString('utf8'));
      if (!response) return;
      const via = header(response, 'via');
      const branch = via ? /;\s*branch=([^;\s,]+)/i.exec(via)?.[1] : undefined;
      const method = header(response, 'cseq')?.split(/\s+/)[1];
      if (!branch || !method) return;
      this.pending.get(`${branch} ${method.toUpperCase()}`)?.(response);
    });
  }

  static async open(server: { host: string; port: number }, options: { timeoutMs?: number } = {}): Promise<SipClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const address = socket.address();
    return new SipClient(socket, server, { host: address.address, port: address.port }, options.timeoutMs ?? 2000);
  }

  /** Answers a received request 200 OK (Via, From, To with a tag, Call-ID, CSeq copied). */
  private answer(request: SipRequest, to: { address: string; port: number }): void {
    const copy = (name: string) => (request.headers.get(name) ?? []).map((v) => `${name.replace(/(^|-)./g, (c) => c.toUpperCase())}: ${v}\r\n`).join('');
    const toHeader = request.headers.get('to')?.[0] ?? '';
    const reply = `SIP/2.0 200 OK\r\n${copy('via')}${copy('from')}To: ${toHeader}${/;\s*tag=/i.test(toHeader) ? '' : `;tag=${token(4)}`}\r\n${copy('call-id')}${copy('cseq')}Content-Length: 0\r\n\r\n`;
    this.socket.send(Buffer.from(reply, 'utf8'), to.port, to.address);
  }

  close(): void {
    this.socket.close();
  }

  /**
   * Sends one request as a non-INVITE client transaction: retransmits at T1, 2·T1, … until a
   * final response, ignores provisional ones, and rejects after timeoutMs.
   */
  async transaction(method: string, requestUri: string, headers: string[], body = ''): Promise<SipResponse> {
    const branch = `z9hG4bK${token()}`;
    const message =
      `${method} ${requestUri} SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP ${this.local.host}:${this.local.port};branch=${branch};rport\r\n` +
      `Max-Forwards: 70\r\n` +
      headers.map((h) => `${h}\r\n`).join('') +
      `User-Agent: hermes-e2e-sip-client\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
      body;
    const bytes = Buffer.from(message, 'utf8');
    const key = `${branch} ${method.toUpperCase()}`;
    return new Promise<SipResponse>((resolve, reject) => {
      let interval = T1;
      let timer: NodeJS.Timeout;
      const send = () => this.socket.send(bytes, this.server.port, this.server.host);
      const retransmit = () => {
        send();
        interval = Math.min(interval * 2, 4 * T1);
        timer = setTimeout(retransmit, interval);
      };
      const deadline = setTimeout(() => {
        finish();
        reject(new Error(`no final response to ${method} ${requestUri} from ${this.server.host}:${this.server.port} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        clearTimeout(deadline);
        this.pending.delete(key);
      };
      this.pending.set(key, (response) => {
        if (response.status < 200) return;
        finish();
        resolve(response);
      });
      send();
      timer = setTimeout(retransmit, interval);
    });
  }

  /**
   * REGISTERs username@domain with this client's address as Contact; answers one 401/407
   * challenge with MD5 digest credentials. Returns the final response.
   */
  async register(options: RegisterOptions): Promise<RegisterResult> {
    const aor = `sip:${options.username}@${options.domain}`;
    const requestUri = `sip:${options.domain}`;
    const callId = `${token(12)}@${this.local.host}`;
    const fromTag = token(6);
    const base = [
      `From: <${aor}>;tag=${fromTag}`,
      `To: <${aor}>`,
      `Call-ID: ${callId}`,
      `Contact: <sip:${options.username}@${this.local.host}:${this.local.port};transport=udp>`,
      `Expires: ${options.expires ?? 60}`,
    ];
    const first = await this.transaction('REGISTER', requestUri, [...base, `CSeq: ${this.cseq++} REGISTER`]);
    if (first.status !== 401 && first.status !== 407) return { final: first, attempts: 1 };
    const challengeHeader = header(first, first.status === 401 ? 'www-authenticate' : 'proxy-authenticate');
    if (!challengeHeader) throw new Error(`${first.status} without a challenge:\n${first.raw}`);
    const challenge = parseChallenge(challengeHeader);
    const authorization = authorizationHeader(
      challenge,
      { username: options.authUsername ?? options.username, password: options.password },
      { method: 'REGISTER', uri: requestUri },
    );
    const name = first.status === 401 ? 'Authorization' : 'Proxy-Authorization';
    const final = await this.transaction('REGISTER', requestUri, [...base, `CSeq: ${this.cseq++} REGISTER`, `${name}: ${authorization}`]);
    return { final, challenge: first, attempts: 2 };
  }

  /** An out-of-dialog request (OPTIONS, MESSAGE) to `target` (user@domain) from `from`. */
  async request(method: 'OPTIONS' | 'MESSAGE', target: string, from = 'e2e@hermes.invalid'): Promise<SipResponse> {
    const uri = `sip:${target}`;
    const body = method === 'MESSAGE' ? 'hello from the hermes e2e suite' : '';
    return this.transaction(method, uri, [
      `From: <sip:${from}>;tag=${token(6)}`,
      `To: <${uri}>`,
      `Call-ID: ${token(12)}@${this.local.host}`,
      `CSeq: ${this.cseq++} ${method}`,
      ...(method === 'MESSAGE' ? ['Content-Type: text/plain'] : ['Accept: application/sdp']),
    ], body);
  }
}
