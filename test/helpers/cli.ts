import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const HERMES_BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built hermes CLI (`npm test` builds it first) as an operator would: a real
 * process, with its own cwd and environment. Output with `internal error` fails the test.
 */
export function runHermes(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, HERMES_DB: undefined, HERMES_PROVISIONING_DB: undefined, GITHUB_ACTOR: undefined, GITHUB_SHA: undefined, NO_COLOR: '1', ...options.env };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    const child = spawn(process.execPath, [HERMES_BIN, ...args], { cwd: options.cwd, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      // An operator never meets an internal error: a test whose command prints one fails here
      // (the one test that forces it does so without this helper: test/catalogue.test.ts).
      if (/internal error|\[INTERNAL\]/.test(stdout + stderr)) reject(new Error(`hermes ${args.join(' ')} printed an internal error:\n${stderr}${stdout}`));
      else resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
