import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { sql } from 'kysely';
import { openDatabases, type Connection } from '../../db/connect.js';
import { DEFAULT_DB_URL, isServerUrl } from '../../db/url.js';
import { formatDiagnostic, loadDesiredState, locate } from '../../desired/index.js';
import type { DesiredState } from '../../desired/types.js';
import { HermesError } from '../../errors.js';
import { hashFiles } from '../../reconcile/desired-files.js';
import { toPlanDocument } from '../../reconcile/plan-document.js';
import { computePlan } from '../../reconcile/plan.js';
import type { ActualState } from '../../reconcile/actual-state.js';
import type { Plan } from '../../reconcile/plan-types.js';
import { readActualState } from '../../reconcile/read-actual.js';
import { renderMarkdown } from '../../reconcile/render-markdown.js';
import { renderText } from '../../reconcile/render-text.js';
import { packageVersion } from '../package-version.js';
import { databaseOptions } from '../global-options.js';
import { action, ExitCode, withDatabases } from '../run-command.js';

export const DEFAULT_STATE_PATH = './hermes.yaml';

/** Loads the desired state; prints every diagnostic like `hermes validate`; exit 1 on errors. */
export async function loadForPlan(paths: string[], options: { secrets: 'required' | 'warn' } = { secrets: 'required' }): Promise<DesiredState> {
  const result = await loadDesiredState(paths.length > 0 ? paths : [DEFAULT_STATE_PATH], { secrets: options.secrets });
  for (const d of result.diagnostics) {
    // Without secrets (export --diff), their warnings are noise.
    if (options.secrets === 'warn' && d.severity === 'warning' && d.code.startsWith('HERMES_SECRET')) continue;
    process.stderr.write(formatDiagnostic(d) + '\n');
  }
  if (!result.state) throw new ExitCode(1);
  return result.state;
}

/** Problems found while planning, one line each; exit 1. */
export function reportProblems(plan: Plan): void {
  if (plan.problems.length === 0) return;
  for (const p of plan.problems) {
    const at = p.at && locate(p.at); // line 0 after the fast path: resolved here
    const where = at ? `${at.file}:${at.line}:${at.column}: ` : '';
    process.stderr.write(`hermes: ${where}${p.message} [PLAN_INVALID]\n`);
  }
  throw new ExitCode(1);
}

/** Colour only on a terminal, and not with NO_COLOR. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}

/** Whether both databases are servers (not files read in this process), so reading them can overlap loading the YAML. */
function databasesAreServers(command: Command): boolean {
  const { db, provisioningDb } = databaseOptions(command);
  try {
    const kamailio = db?.trim() || DEFAULT_DB_URL;
    return isServerUrl(kamailio) && isServerUrl(provisioningDb?.trim() || kamailio);
  } catch {
    return false; // a bad URL is reported where the databases are opened, after the YAML
  }
}

/** The queries readActualState sends at once, per pool: as many connections, opened beforehand. */
const PARALLEL_READS = 6;

/**
 * Loads the desired state and reads the actual state. On MySQL/MariaDB the database work is
 * started first (connect, check the schemas, open a connection per query, send the queries)
 * and the YAML is loaded while the server runs them; the YAML's diagnostics still come first
 * (an invalid file is reported as before, and the read is then discarded). On SQLite (a file
 * read in this process, which `hermes plan` must not create when the YAML is invalid) the two
 * run one after the other.
 */
export async function loadAndRead(paths: string[], command: Command, options: { fingerprint: boolean }): Promise<{ desired: DesiredState; actual: ActualState }> {
  if (!databasesAreServers(command)) {
    const desired = await loadForPlan(paths);
    const actual = await withDatabases(command, (db) => readActualState(db, options));
    return { desired, actual };
  }
  let connection: Connection | undefined;
  const reading = (async () => {
    connection = await openDatabases(databaseOptions(command));
    const pools = connection.shared ? [connection.kamailio] : [connection.kamailio, connection.provisioning];
    await Promise.all(pools.flatMap((pool) => Array.from({ length: PARALLEL_READS }, () => sql`select 1`.execute(pool))));
    return readActualState(connection, options);
  })();
  const settled = reading.then(
    () => undefined,
    () => undefined,
  );
  try {
    const desired = await loadForPlan(paths);
    return { desired, actual: await reading };
  } finally {
    await settled;
    await connection?.close();
  }
}

interface PlanOptions {
  format: 'text' | 'json' | 'markdown';
  out?: string;
  detailedExitcode?: boolean;
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('show what apply would change: the desired state (YAML files or directories) against the database')
    .argument('[paths...]', `YAML files or directories (default ${DEFAULT_STATE_PATH})`)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .option('--out <file>', 'save the plan (JSON) for `hermes apply --plan FILE`')
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are, 1 on error')
    .action(
      action(async (paths: string[], options: PlanOptions, command: Command) => {
        // The fingerprint is for what records or compares the state (json, markdown, --out).
        const fingerprint = options.format !== 'text' || options.out !== undefined;
        const { desired, actual } = await loadAndRead(paths, command, { fingerprint });
        const plan = computePlan(desired, actual);
        reportProblems(plan);
        const document = () => toPlanDocument(plan, hashFiles(desired.files), { hermesVersion: packageVersion(), createdAt: new Date().toISOString() });
        if (options.out) {
          try {
            writeFileSync(options.out, JSON.stringify(document(), null, 2) + '\n', { mode: 0o644 });
          } catch (error) {
            throw new HermesError('FILE_UNREADABLE', `cannot write the plan to ${options.out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
          }
        }
        if (options.format === 'json') process.stdout.write(JSON.stringify(document(), null, 2) + '\n');
        else if (options.format === 'markdown') process.stdout.write(renderMarkdown(plan));
        else {
          process.stdout.write(renderText(plan, { color: useColor(process.stdout) }));
          if (options.out) process.stdout.write(`\nSaved the plan to ${options.out}: apply it with \`hermes apply --plan ${options.out}\`.\n`);
        }
        if (options.detailedExitcode) return plan.changes.length > 0 ? 2 : 0;
        return 0;
      }),
    );
}
