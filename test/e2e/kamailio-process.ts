import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SipClient } from './sip-client.js';

/** The configuration the suite runs (preprocessor defines select the variant). */
export const KAMAILIO_CFG = fileURLToPath(new URL('./kamailio.cfg', import.meta.url));

/** Where Debian's packages put the modules; HERMES_KAMAILIO_MODULES overrides. */
export const KAMAILIO_MODULES = process.env.HERMES_KAMAILIO_MODULES ?? '/usr/lib/x86_64-linux-gnu/kamailio/modules';

/**
 * The kamailio binary: HERMES_KAMAILIO_BIN when set (and only it), else on PATH, else
 * /usr/sbin/kamailio. Undefined when none is executable.
 */
export function findKamailio(): string | undefined {
  const explicit = process.env.HERMES_KAMAILIO_BIN;
  const candidates = explicit ? [explicit] : [
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'kamailio')),
    '/usr/sbin/kamailio',
    '/usr/local/sbin/kamailio',
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

/** Whether the module file exists (db_mysql / db_sqlite / db_postgres come in separate Debian packages). */
export function hasModule(name: string): boolean {
  return existsSync(join(KAMAILIO_MODULES, `${name}.so`));
}

/** hermes' database URL as Kamailio's db_url (sqlite:PATH -> sqlite:///PATH with an absolute path). */
export function kamailioDbUrl(hermesUrl: string): string {
  if (hermesUrl.startsWith('sqlite:')) {
    let path = hermesUrl.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (!path.startsWith('/')) throw new Error(`Kamailio needs an absolute SQLite path, got ${hermesUrl}`);
    return `sqlite:///${path}`;
  }
  return hermesUrl.replace(/^mariadb:/, 'mysql:').replace(/^postgresql:/, 'postgres:');
}

export interface KamailioOptions {
  bin: string;
  /** Kamailio's db_url. */
  dbUrl: string;
  sipPort: number;
  rpcPort: number;
  /** auth_db reads ha1/ha1b (calculate_ha1 0) instead of the plaintext password. */
  withHa1: boolean;
  /** Pid file, log and working directory go here. */
  dir: string;
  /** Readiness deadline. */
  startTimeoutMs?: number;
}

const running = new Set<KamailioProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Whatever happens to the test process, no Kamailio outlives it: on a normal exit, and on
  // a termination signal (then the signal is re-raised, so the process still ends as asked).
  process.on('exit', () => {
    for (const k of running) k.killNow();
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const k of running) k.killNow();
      process.kill(process.pid, signal);
    });
  }
}

/**
 * A Kamailio started in the foreground (-DD) as a child process. Its main process stops its
 * workers when it gets SIGTERM; it stays in our process group, so a Ctrl-C reaches it too.
 */
export class KamailioProcess {
  readonly host = '127.0.0.1';
  readonly logFile: string;
  readonly pidFile: string;
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    readonly options: KamailioOptions,
    private readonly child: ChildProcess,
  ) {
    this.logFile = join(options.dir, 'kamailio.log');
    this.pidFile = join(options.dir, 'kamailio.pid');
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        running.delete(this);
        resolve(code);
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get rpcUrl(): string {
    return `http://${this.host}:${this.options.rpcPort}/RPC`;
  }

  get sipAddress(): { host: string; port: number } {
    return { host: this.host, port: this.options.sipPort };
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** The command line, for messages. */
  static args(options: KamailioOptions): string[] {
    const args = [
      '-DD', // foreground, no daemon
      '-E', // log to stderr
      '-f', KAMAILIO_CFG,
      '-L', KAMAILIO_MODULES,
      '-P', join(options.dir, 'kamailio.pid'),
      '-w', options.dir,
      '-A', `DBURL="${options.dbUrl}"`,
      '-A', `SIP_LISTEN=udp:127.0.0.1:${options.sipPort}`,
      '-A', `RPC_LISTEN=tcp:127.0.0.1:${options.rpcPort}`,
      '-m', '64',
      '-M', '8',
    ];
    if (options.withHa1) args.push('-A', 'WITH_HA1');
    if (options.dbUrl.startsWith('postgres')) args.push('-A', 'WITH_POSTGRES');
    return args;
  }

  /**
   * Starts Kamailio and waits until both its RPC (core.version over HTTP) and SIP (an OPTIONS
   * answered) sockets respond. On failure the error carries the tail of Kamailio's log.
   */
  static async start(options: KamailioOptions): Promise<KamailioProcess> {
    installExitHook();
    const logFile = join(options.dir, 'kamailio.log');
    const fd = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(options.bin, KamailioProcess.args(options), { cwd: options.dir, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const kamailio = new KamailioProcess(options, child);
    running.add(kamailio);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    try {
      await Promise.race([
        kamailio.waitReady(options.startTimeoutMs ?? 60_000),
        spawnError.then((e) => Promise.reject(e)),
        kamailio.exited.then((code) => Promise.reject(new Error(`kamailio exited with code ${code} before it was ready`))),
      ]);
    } catch (error) {
      await kamailio.stop();
      throw new Error(`${(error as Error).message}\n--- ${options.bin} ${KamailioProcess.args(options).join(' ')}\n--- tail of ${logFile}:\n${kamailio.logTail(40)}`);
    }
    return kamailio;
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline && this.alive) {
      try {
        await this.rpc('core.version');
        const client = await SipClient.open(this.sipAddress, { timeoutMs: 500 });
        try {
          await client.request('OPTIONS', 'readiness-probe@hermes.invalid');
        } finally {
          client.close();
        }
        return;
      } catch (error) {
        lastError = error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (!this.alive) return; // the exit promise reports it
    throw new Error(`kamailio not ready within ${timeoutMs} ms: ${(lastError as Error | undefined)?.message ?? 'unknown'}`);
  }

  /** Calls a JSON-RPC method over HTTP (jsonrpcs via xhttp); throws on a JSON-RPC error. */
  async rpc(method: string, params: unknown[] = []): Promise<unknown> {
    const response = await fetch(this.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
      signal: AbortSignal.timeout(2000),
    });
    const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string } };
    if (body.error) throw new Error(`RPC ${method}: ${body.error.code} ${body.error.message}`);
    return body.result;
  }

  /** The last lines of Kamailio's log. */
  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines - 1).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /**
   * SIGTERM (Kamailio's main process then stops its workers), SIGKILL after 3 s; resolves
   * when the main process is gone.
   */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Synchronous, for the exit and signal hooks: SIGTERM lets the main process stop its workers. */
  killNow(): void {
    if (this.alive) this.signal('SIGTERM');
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      process.kill(this.pid, signal);
    } catch {
      // already gone
    }
  }
}
