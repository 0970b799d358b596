/**
 * The plan of examples/hermes.yaml and of the e2e fixtures, as `hermes plan --format json`,
 * `text` and `markdown` print it, is the same document as the one recorded before the
 * reconciler was reshaped into resource kinds (golden/plans.json, captured with the CLI from
 * main at ea94b10 on a fresh SQLite database): on an empty database, after applying the
 * fixtures in the e2e's order, and with nothing to change. The creation time, the fingerprint
 * (generated passwords make it differ run to run) and the files are left out. In-process (the
 * same functions the CLI calls), so that it runs in seconds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/cli/package-version.js';
import { loadDesiredState } from '../../src/desired/index.js';
import { applyDesiredState } from '../../src/reconcile/apply.js';
import { toPlanDocument } from '../../src/reconcile/plan-document.js';
import { computePlan } from '../../src/reconcile/plan.js';
import { readActualState } from '../../src/reconcile/read-actual.js';
import { renderMarkdown } from '../../src/reconcile/render-markdown.js';
import { renderText } from '../../src/reconcile/render-text.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GOLDEN = JSON.parse(readFileSync(new URL('./golden/plans.json', import.meta.url), 'utf8')) as Record<string, { json: Record<string, unknown>; text: string; markdown: string }>;
const ENV = { ...process.env, E2E_ALICE_PASSWORD: 'alicepw1', E2E_BOB_PASSWORD: 'bobpw1', E2E_FRANK_PASSWORD: 'frankpw1', E2E_DAVE_PASSWORD: 'davepw1' };
// the quickstart as it was before it provisioned its phones: a file without a provisioning
// section plans exactly as before
const EXAMPLE = join(ROOT, 'test/reconcile/golden/quickstart-without-provisioning.yaml');
const fixture = (n: number) => join(ROOT, `test/e2e/fixtures/platform-${n}.yaml`);

async function load(file: string) {
  const result = await loadDesiredState([file], { secrets: 'required', env: ENV });
  if (!result.state) throw new Error(`${file} does not load: ${JSON.stringify(result.diagnostics)}`);
  return result.state;
}

describe('plan output is unchanged (examples and e2e fixtures)', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  const expectPlan = async (name: string, file: string) => {
    const golden = GOLDEN[name];
    const plan = computePlan(await load(file), await readActualState(db!.connection));
    const { createdAt: _c, fingerprint: _f, files: _files, ...document } = toPlanDocument(plan, [], { hermesVersion: packageVersion(), createdAt: '' });
    const { createdAt: _gc, fingerprint: _gf, files: _gfiles, ...expected } = golden.json;
    expect(JSON.parse(JSON.stringify(document)), `${name} json`).toEqual(expected);
    expect(renderText(plan, { color: false }), `${name} text`).toBe(golden.text);
    expect(renderMarkdown(plan).replace(/<sub>fingerprint [0-9a-f]*<\/sub>/, '<sub>fingerprint</sub>'), `${name} markdown`).toBe(golden.markdown);
  };
  const apply = async (file: string) => {
    await applyDesiredState(db!.connection, { desired: await load(file), actor: 'test', force: true, confirm: async () => true });
  };

  it('examples/hermes.yaml: on an empty database, then after applying it', async () => {
    db = await createTestDatabase('sqlite');
    await expectPlan('examples-empty', EXAMPLE);
    await apply(EXAMPLE);
    await expectPlan('examples-after', EXAMPLE);
  });

  it('the e2e fixtures, applied one after the other as the Kamailio e2e does', async () => {
    db = await createTestDatabase('sqlite');
    await expectPlan('p1-empty', fixture(1));
    await apply(fixture(1));
    await expectPlan('p1-after', fixture(1));
    await expectPlan('p2-on-p1', fixture(2));
    await apply(fixture(2));
    await expectPlan('p3-on-p2', fixture(3));
    await apply(fixture(3));
    await expectPlan('p1-on-p3', fixture(1));
  });
});
