/**
 * The saved plan (`hermes plan --out plan.json`, `--format json`): a versioned document with
 * the changes, the summary, the fingerprint of the actual state it was made from, and the
 * YAML files (with a sha256 of each) that `hermes apply --plan` re-reads for the secrets, and
 * a keyed hash (pin) of each secret it writes (secret-pins.ts). It never holds a plaintext secret.
 */
import type { PlanSecrets } from './secret-pins.js';
import { savedChange, type Plan, type PlanSummary, type SavedChange } from './plan-types.js';

export const PLAN_FORMAT_VERSION = 1;

export interface PlanFile {
  path: string;
  sha256: string;
}

export interface PlanDocument {
  formatVersion: 1;
  hermesVersion: string;
  createdAt: string;
  fingerprint: string;
  files: PlanFile[];
  summary: PlanSummary;
  changes: SavedChange[];
  /** The pins of the secrets the plan writes; apply refuses the plan if one differs. */
  secrets?: PlanSecrets;
}

export function toPlanDocument(plan: Plan, files: PlanFile[], meta: { hermesVersion: string; createdAt: string }, secrets?: PlanSecrets): PlanDocument {
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    hermesVersion: meta.hermesVersion,
    createdAt: meta.createdAt,
    fingerprint: plan.fingerprint,
    files,
    summary: plan.summary,
    changes: plan.changes.map(savedChange),
    ...(secrets ? { secrets } : {}),
  };
}

/** Parses a saved plan; returns the document or a message saying what is wrong with it. */
export function parsePlanDocument(text: string): PlanDocument | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (typeof doc !== 'object' || doc === null) return 'not a hermes plan document';
  const d = doc as Partial<PlanDocument>;
  if (d.formatVersion !== PLAN_FORMAT_VERSION) return `formatVersion ${JSON.stringify(d.formatVersion)} is not supported (this hermes reads ${PLAN_FORMAT_VERSION})`;
  if (typeof d.fingerprint !== 'string' || !Array.isArray(d.changes) || !Array.isArray(d.files) || typeof d.summary !== 'object') {
    return 'not a hermes plan document (fingerprint, files, summary or changes missing)';
  }
  if (d.files.length === 0) return 'the plan names no desired-state files';
  return d as PlanDocument;
}

/**
 * Saved changes (as a plan file holds them, or a plan's changes through savedChange) in one
 * comparable text: each change's fields in a fixed order, whatever order the file has them in.
 */
export function comparableChanges(changes: readonly SavedChange[]): string {
  return JSON.stringify(
    changes.map((c) => {
      const out: SavedChange = { action: c.action, kind: c.kind, key: c.key };
      for (const f of ['count', 'before', 'after', 'phones', 'macs'] as const) if (c[f] !== undefined) (out as unknown as Record<string, unknown>)[f] = c[f];
      return out;
    }),
  );
}
