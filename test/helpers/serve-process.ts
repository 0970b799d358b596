import { spawn, type ChildProcess } from 'node:child_process';
import { HERMES_BIN } from './cli.js';

/** A `hermes serve` process of a test, with what it printed so far. */
export interface ServeProcess {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `hermes serve ARGS` and resolves once it says it is serving (15 s at most). */
export function startServer(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [HERMES_BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HERMES_DB: '', ...env } });
  const server: ServeProcess = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout!.on('data', (d) => (server.stdout += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${server.stderr}`)), 15_000);
    child.stderr!.on('data', (d) => {
      server.stderr += d;
      if (server.stderr.includes('serving the node API')) {
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
