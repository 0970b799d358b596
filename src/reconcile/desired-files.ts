/** The YAML files a plan was made from, with a sha256 of each, and the check a saved plan needs. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { PlanFile } from './plan-document.js';

function sha256(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}

/** The files, as paths relative to `cwd` (so a plan made in CI applies in another checkout). */
export function hashFiles(files: string[], cwd: string = process.cwd()): PlanFile[] {
  return files.map((f) => ({ path: relative(cwd, resolve(cwd, f)) || f, sha256: sha256(resolve(cwd, f)) ?? '' }));
}

/** A message naming the first file that is missing or changed since the plan; undefined if all match. */
export function changedFile(files: PlanFile[], cwd: string = process.cwd()): string | undefined {
  for (const f of files) {
    const now = sha256(resolve(cwd, f.path));
    if (now === undefined) return `${f.path} is missing`;
    if (now !== f.sha256) return `${f.path} changed since the plan was made`;
  }
  return undefined;
}
