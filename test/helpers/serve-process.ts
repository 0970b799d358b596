import { spawn, type ChildProcess } from 'node:child_process';
import { HERMES_BIN } from './cli.js';

/** A `hermes serve` process of a test, with what it printed so far. */
export interface ServeProcess {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartOptions {
  cwd?: string;
  /** What stderr says once the server is ready: "serving the node API" unless given. */
  readyWhen?: string;
}

/**
 * Starts `hermes serve ARGS` and resolves once it says it is ready. It waits up to 60 s: on a
 * two-core CI runner another suite's burst of processes can hold a start up for many seconds.
 */
export function startServer(args: string[], env: Record<string, string> = {}, options: StartOptions = {}): Promise<ServeProcess> {
  const readyWhen = options.readyWhen ?? 'serving the node API';
  const child = spawn(process.execPath, [HERMES_BIN, 'serve', ...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HERMES_DB: '', ...env } });
  const server: ServeProcess = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout!.on('data', (d) => (server.stdout += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${server.stderr}`)), 60_000);
    child.stderr!.on('data', (d) => {
      server.stderr += d;
      if (server.stderr.includes(readyWhen)) {
        clearTimeout(timer);
        resolve(server);
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`server exited: ${server.stderr}`));
    });
  });
}
