/**
 * The saved plan (`hermes plan --out plan.json`, `--format json`): a versioned document with
 * the changes, the summary, the fingerprint of the actual state it was made from, and the
 * YAML files (with a sha256 of each) that `hermes apply --plan` re-reads for the secrets. It
 * never holds a plaintext secret.
 */
import { savedChange, type Change, type Plan, type PlanSummary, type SavedChange } from './plan-types.js';

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
}

export function toPlanDocument(plan: Plan, files: PlanFile[], meta: { hermesVersion: string; createdAt: string }): PlanDocument {
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    hermesVersion: meta.hermesVersion,
    createdAt: meta.createdAt,
    fingerprint: plan.fingerprint,
    files,
    summary: plan.summary,
    changes: plan.changes.map(savedChange),
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

/** The changes of a plan in the comparable form a saved plan stores. */
export function comparableChanges(changes: readonly (Change | SavedChange)[]): string {
  return JSON.stringify(changes.map((c) => savedChange(c as Change)));
}
