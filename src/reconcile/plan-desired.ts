/**
 * `hermes plan`, the orchestration: load the desired state, read the actual state, plan, and
 * refuse a plan with problems. Beside applyDesiredState (apply.ts); printing is the caller's.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { onDatabases, openDatabases, type Connection, type OpenOptions } from '../db/connect.js';
import { DEFAULT_DB_URL, isServerUrl } from '../db/url.js';
import type { Dbs } from '../db/types.js';
import type { DesiredState } from '../desired/types.js';
import { HermesError } from '../errors.js';
import type { ActualState } from './actual-state.js';
import { changedFile } from './desired-files.js';
import { parsePlanDocument, type PlanDocument } from './plan-document.js';
import { computePlan } from './plan.js';
import type { Plan } from './plan-types.js';
import { readActualState } from './read-actual.js';
import { pinSecrets, readPinKey, type PinKey, type PlanSecrets } from './secret-pins.js';

/** At most this many of a plan's problems are listed; the rest are counted. */
const MAX_PROBLEMS_LISTED = 20;

/**
 * Refuses a plan with problems: one PLAN_INVALID error whose message has one line per
 * problem (`file:line:col: message`), the first MAX_PROBLEMS_LISTED of them and a count.
 */
export function assertPlannable(plan: Plan): void {
  if (plan.problems.length === 0) return;
  const lines = plan.problems.slice(0, MAX_PROBLEMS_LISTED).map((p) => {
    const at = p.at;
    return `${at ? `${at.file}:${at.line}:${at.column}: ` : ''}${p.message}`;
  });
  const more = plan.problems.length - lines.length;
  if (more > 0) lines.push(`(and ${more} more problem(s))`);
  throw new HermesError('PLAN_INVALID', lines.join('\n'));
}

export interface PlanRequest {
  /** The databases to read. */
  databases: OpenOptions;
  /** Loads the desired state; throws when it is invalid (after reporting its diagnostics). */
  load(): Promise<DesiredState>;
  /** Whether the actual state's fingerprint is needed (a saved or recorded plan). */
  fingerprint: boolean;
  /** Whether to pin the secrets the plan writes (a plan saved or printed as JSON; needs the fingerprint). */
  pins?: boolean;
}

export interface PlannedState {
  desired: DesiredState;
  plan: Plan;
  /** With `pins`: the pins of the secrets the plan writes. */
  secrets?: PlanSecrets;
}

/** Whether both databases are servers, so reading them can overlap loading the YAML. */
function databasesAreServers({ db, provisioningDb }: OpenOptions): boolean {
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
 * Loads the desired state and reads the actual state. On database servers the database work
 * is started first (connect, check the schemas, open a connection per query, send the
 * queries) and the YAML is loaded while the server runs them; the YAML's diagnostics still
 * come first (an invalid file is reported as before, and the read is then discarded). On
 * SQLite (a file read in this process) the two run one after the other.
 */
async function loadAndRead(request: PlanRequest): Promise<{ desired: DesiredState; actual: ActualState; pinKey?: PinKey }> {
  const options = { fingerprint: request.fingerprint };
  const read = async (db: Dbs) => {
    const [actual, pinKey] = await Promise.all([readActualState(db, options), request.pins ? readPinKey(db) : undefined]);
    return { actual, pinKey };
  };
  if (!databasesAreServers(request.databases)) {
    const desired = await request.load();
    const connection = await openDatabases({ ...request.databases, readOnly: true });
    try {
      return { desired, ...(await onDatabases(connection, read)) };
    } finally {
      await connection.close();
    }
  }
  let connection: Connection | undefined;
  const reading = (async () => {
    connection = await openDatabases({ ...request.databases, readOnly: true });
    const pools = connection.shared ? [connection.kamailio] : [connection.kamailio, connection.provisioning];
    await Promise.all(pools.flatMap((pool) => Array.from({ length: PARALLEL_READS }, () => sql`select 1`.execute(pool))));
    return onDatabases(connection, read);
  })();
  const settled = reading.then(
    () => undefined,
    () => undefined,
  );
  try {
    const desired = await request.load();
    return { desired, ...(await reading) };
  } finally {
    await settled;
    await connection?.close();
  }
}

/** Plans the desired state against the databases; a plan with problems is refused (PLAN_INVALID). */
export async function planDesiredState(request: PlanRequest): Promise<PlannedState> {
  const { desired, actual, pinKey } = await loadAndRead(request);
  const plan = computePlan(desired, actual);
  assertPlannable(plan);
  return { desired, plan, ...(pinKey ? { secrets: pinSecrets(plan, desired, pinKey) } : {}) };
}

/** Reads a plan saved by `hermes plan --out`; refused when a YAML file it was made from changed. */
export function readSavedPlan(path: string): PlanDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new HermesError('FILE_UNREADABLE', `cannot read the plan ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const doc = parsePlanDocument(text);
  if (typeof doc === 'string') throw new HermesError('USAGE', `${path} is not a usable plan: ${doc}`);
  const changed = changedFile(doc.files);
  if (changed) throw new HermesError('PLAN_STALE', `the saved plan ${path} is stale: ${changed} (plan again)`);
  return doc;
}
