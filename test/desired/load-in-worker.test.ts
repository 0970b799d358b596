import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearLocateCache, loadDesiredState, locate, type LoadOptions, type LoadResult } from '../../src/desired/index.js';
import { loadDesiredStateInWorker } from '../../src/desired/load-in-worker.js';
import { HermesError } from '../../src/errors.js';

/**
 * loadDesiredStateInWorker must give exactly loadDesiredState's result (state, diagnostics,
 * parse) and throw what it throws. The worker is forced, and is dist's (the built
 * load-worker.js: `npm test` builds first), since under vitest this module is a .ts file.
 */
const workerFile = new URL('../../dist/desired/load-worker.js', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'hermes-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync(workerFile)) throw new Error(`${workerFile.pathname} is missing: build first (npx tsc -p tsconfig.build.json)`);
});

function write(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

async function both(paths: string[], options: LoadOptions): Promise<{ inThread: LoadResult; inWorker: LoadResult }> {
  const inThread = await loadDesiredState(paths, options);
  const inWorker = await loadDesiredStateInWorker(paths, { ...options, worker: 'always', workerFile });
  return { inThread, inWorker };
}

/** A platform with every kind of list, and a few items without an optional key. */
function platform(users: number): string {
  let s = 'version: 1\ndomains:\n  - domain: Example.COM\n  - domain: other.example\n    unmanaged: ["sip*"]\nnumbers:\n  ranges:\n    - { start: "+4720000000", end: "+4720099999" }\n  numbers: ["+4730000000"]\nusers:\n';
  for (let i = 0; i < users; i++) s += `  - user: user${i}@example.com\n    displayname: "User ${i} \u00e9\u4e2d"\n${i % 3 === 0 ? `    number: "+47200${String(i).padStart(5, '0')}"\n` : ''}`;
  s += '  - user: remote@partner.example\n    registrar: sip.partner.example\n    r_port: 5061\n    password: { env: PARTNER_PASSWORD }\n';
  s += 'aliases:\n';
  for (let i = 0; i < users; i += 2) s += `  - { alias: a${i}@example.com, destination: user${i}@example.com }\n`;
  s += 'phones:\n';
  for (let i = 0; i < users; i += 5) s += `  - mac: "${(0x100000000000 + i).toString(16).toUpperCase()}"\n    users: [user${i}@example.com${i + 1 < users ? `, user${i + 1}@example.com` : ''}]\n`;
  return s;
}

const ENV = { PARTNER_PASSWORD: 'x-example' };

describe('loadDesiredStateInWorker', () => {
  it('gives the same state, diagnostics and parse as in-thread loading for a valid file (more items than a chunk)', async () => {
    const file = write('valid.yaml', platform(20000));
    const { inThread, inWorker } = await both([file], { secrets: 'required', env: ENV });
    expect(inThread.state?.users).toHaveLength(20001);
    expect(inThread.diagnostics).toEqual([]);
    expect(inWorker).toStrictEqual(inThread);
  });

  it('gives the same result for the example platform (a file secret, eager positions)', async () => {
    const { inThread, inWorker } = await both(['examples/hermes.yaml'], { secrets: 'required' });
    expect(inThread.state).toBeDefined();
    expect(inThread.state!.users![0].at!.line).toBeGreaterThan(0);
    expect(inWorker).toStrictEqual(inThread);
  });

  it('gives the same diagnostics (and no state) for an invalid file, and for a directory of invalid files', async () => {
    const file = write('invalid.yaml', platform(50).replace('user7@example.com\n', 'user7@example.com\n    r_port: 99999\n').replace('"+4720000003"', '"+4720000000"'));
    const one = await both([file], { secrets: 'required', env: ENV });
    expect(one.inThread.state).toBeUndefined();
    expect(one.inThread.diagnostics.filter((d) => d.severity === 'error').length).toBeGreaterThanOrEqual(2);
    expect(one.inWorker).toStrictEqual(one.inThread);

    const many = await both(['test/fixtures/desired', join(dir, 'missing.yaml')], { secrets: 'warn', env: {} });
    expect(many.inThread.diagnostics.length).toBeGreaterThan(20);
    expect(many.inWorker).toStrictEqual(many.inThread);
  });

  it('leaves line 0 in the `at` of a lazy state, which locate() resolves in this thread', async () => {
    const file = write('lazy.yaml', platform(30));
    const eager = await loadDesiredState([file], { secrets: 'required', env: ENV, positions: 'eager' });
    const { inThread, inWorker } = await both([file], { secrets: 'required', env: ENV, positions: 'lazy' });
    expect(inWorker).toStrictEqual(inThread);
    const at = inWorker.state!.users![17].at!;
    expect(at.line).toBe(0);
    clearLocateCache();
    expect(locate(at)).toEqual(eager.state!.users![17].at);
    expect(locate(inWorker.state!.phones![2].at!)).toEqual(eager.state!.phones![2].at);
  });

  it('throws what loadDesiredState throws', async () => {
    const bad = null as unknown as string[];
    const inThread = await loadDesiredState(bad, { secrets: 'required' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    const inWorker = await loadDesiredStateInWorker(bad, { secrets: 'required', worker: 'always', workerFile }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(inThread).toBeInstanceOf(TypeError);
    expect(inWorker).toBeInstanceOf(TypeError);
    expect((inWorker as Error).message).toBe((inThread as Error).message);
  });

  it('loads a small input in this thread unless told otherwise, and a .ts worker file never', async () => {
    const file = write('small.yaml', platform(5));
    const missing = new URL('./no-such-worker.js', workerFile);
    // a worker would fail on the missing script: these must not start one
    await expect(loadDesiredStateInWorker([file], { secrets: 'required', env: ENV, workerFile: missing })).resolves.toStrictEqual(await loadDesiredState([file], { secrets: 'required', env: ENV }));
    const big = write('big-enough.yaml', platform(20000));
    const ts = new URL('./no-such-worker.ts', workerFile);
    await expect(loadDesiredStateInWorker([big], { secrets: 'required', env: ENV, workerFile: ts })).resolves.toHaveProperty('parse', 'fast');
    await expect(loadDesiredStateInWorker([file], { secrets: 'required', env: ENV, worker: 'always', workerFile: missing })).rejects.toThrow();
  });

  it('rethrows a HermesError from the worker as a HermesError with its code', async () => {
    // a worker script that throws one, through the same protocol
    const script = write('throwing-worker.mjs', `import { parentPort } from 'node:worker_threads';\nparentPort.postMessage({ type: 'hermes', code: 'FILE_UNREADABLE', message: 'cannot read it' });\n`);
    const error = await loadDesiredStateInWorker(['x.yaml'], { secrets: 'required', worker: 'always', workerFile: new URL(`file://${script}`) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HermesError);
    expect(error).toMatchObject({ code: 'FILE_UNREADABLE', message: 'cannot read it' });
  });
});
