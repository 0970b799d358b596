/**
 * `hermes plan` of examples/hermes.yaml and of the e2e fixtures, in every format, is the same
 * document as the one recorded before the reconciler was reshaped into resource kinds
 * (golden/plans.json, captured from main at ea94b10): on an empty database, after applying the
 * fixtures in the e2e's order, and with nothing to change. The creation time, the fingerprint
 * (generated passwords make it differ run to run) and the files' folders are left out.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runHermes } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GOLDEN = JSON.parse(readFileSync(new URL('./golden/plans.json', import.meta.url), 'utf8')) as Record<string, { json: unknown; text: string; markdown: string }>;
const ENV = { E2E_ALICE_PASSWORD: 'alicepw1', E2E_BOB_PASSWORD: 'bobpw1', E2E_FRANK_PASSWORD: 'frankpw1', E2E_DAVE_PASSWORD: 'davepw1', HERMES_DB: undefined, HERMES_KAMAILIO_RPC: undefined };
const EXAMPLE = join(ROOT, 'examples/hermes.yaml');
const fixture = (n: number) => join(ROOT, `test/e2e/fixtures/platform-${n}.yaml`);

function normalizeJson(text: string): unknown {
  const d = JSON.parse(text) as { createdAt?: string; fingerprint?: string; files: { path: string; sha256: string }[] };
  delete d.createdAt;
  delete d.fingerprint;
  d.files = d.files.map((f) => ({ ...f, path: f.path.split('/').pop()! }));
  return d;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.concurrent('plan output is unchanged (examples and e2e fixtures)', () => {
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'hermes-golden-'));
    dirs.push(d);
    return d;
  };
  const hermes = async (cwd: string, args: string[]) => {
    const r = await runHermes(args, { cwd, env: ENV });
    if (r.code !== 0) throw new Error(`hermes ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  /** json always; text and markdown where `all` (they derive from the same changes). */
  const expectPlan = async (cwd: string, name: string, file: string, all = false) => {
    const golden = GOLDEN[name];
    expect(normalizeJson(await hermes(cwd, ['plan', file, '--format', 'json'])), `${name} json`).toEqual(golden.json);
    if (!all) return;
    expect(await hermes(cwd, ['plan', file, '--format', 'text']), `${name} text`).toBe(golden.text);
    const markdown = (await hermes(cwd, ['plan', file, '--format', 'markdown'])).replace(/<sub>fingerprint [0-9a-f]*<\/sub>/, '<sub>fingerprint</sub>');
    expect(markdown, `${name} markdown`).toBe(golden.markdown);
  };

  it('examples/hermes.yaml: on an empty database, then after applying it', async () => {
    const cwd = dir();
    await hermes(cwd, ['init', '--kamailio-schema']);
    await expectPlan(cwd, 'examples-empty', EXAMPLE, true);
    await hermes(cwd, ['apply', EXAMPLE, '--auto-approve']);
    await expectPlan(cwd, 'examples-after', EXAMPLE);
  }, 60_000);

  it('the e2e fixtures, applied one after the other as the Kamailio e2e does', async () => {
    const cwd = dir();
    await hermes(cwd, ['init', '--kamailio-schema']);
    await expectPlan(cwd, 'p1-empty', fixture(1));
    await hermes(cwd, ['apply', fixture(1), '--auto-approve']);
    await expectPlan(cwd, 'p1-after', fixture(1), true);
    await expectPlan(cwd, 'p2-on-p1', fixture(2), true);
    await hermes(cwd, ['apply', fixture(2), '--auto-approve']);
    await expectPlan(cwd, 'p3-on-p2', fixture(3), true);
    await hermes(cwd, ['apply', fixture(3), '--auto-approve', '--force']);
    await expectPlan(cwd, 'p1-on-p3', fixture(1));
  }, 120_000);
});
