/**
 * Template overrides in `hermes export`: written as files beside the exported YAML (the
 * folder its `provisioning.templates` names), and compared file by file in `export --diff`.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { HermesError } from '../errors.js';
import { TEMPLATE_SUFFIX } from '../provisioning/index.js';
import type { ExportedTemplate, ExportResult } from './export-state.js';

/** The templates folder an export writes, relative to the YAML file. */
export const EXPORT_TEMPLATES_DIR = 'provisioning/templates';

/** The override files already in a folder (`<scope>/<name>.liquid`), relative to it. */
function overrideFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((scope) => statSync(join(folder, scope)).isDirectory())
    .flatMap((scope) => readdirSync(join(folder, scope)).filter((f) => f.endsWith(TEMPLATE_SUFFIX)).map((f) => `${scope}/${f}`));
}

/**
 * Writes the export's template overrides under `provisioning/templates` beside `yamlPath` and
 * names that folder in the document. Returns warnings (override files already there that the
 * database does not hold: the exported YAML would read them too). Ids were checked by the export.
 */
export function writeExportTemplates(result: ExportResult, yamlPath: string): string[] {
  if (result.templates.length === 0) return [];
  const folder = resolve(dirname(yamlPath), EXPORT_TEMPLATES_DIR);
  const ours = new Set(result.templates.map((t) => `${t.id}${TEMPLATE_SUFFIX}`));
  const warnings = overrideFiles(folder)
    .filter((f) => !ours.has(f))
    .map((f) => `${join(EXPORT_TEMPLATES_DIR, f)} is not a stored template override, but the exported YAML reads it too: remove it, or plan will show it as a change`);
  for (const t of result.templates) {
    const file = join(folder, `${t.id}${TEMPLATE_SUFFIX}`);
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, t.text);
    } catch (error) {
      throw new HermesError('FILE_UNWRITABLE', `cannot write the template ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  (result.document.provisioning ??= {}).templates = EXPORT_TEMPLATES_DIR;
  return warnings;
}

/** Unified diffs of the template overrides that differ between the declared state and the database. */
export async function templateDiffs(declared: readonly ExportedTemplate[], live: readonly ExportedTemplate[]): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  const a = new Map(declared.map((t) => [t.id, t.text]));
  const b = new Map(live.map((t) => [t.id, t.text]));
  const ids = [...new Set([...a.keys(), ...b.keys()])].sort();
  return ids
    .filter((id) => a.get(id) !== b.get(id))
    .map((id) => createTwoFilesPatch(`declared/${EXPORT_TEMPLATES_DIR}/${id}${TEMPLATE_SUFFIX}`, `database/${EXPORT_TEMPLATES_DIR}/${id}${TEMPLATE_SUFFIX}`, a.get(id) ?? '', b.get(id) ?? '', a.has(id) ? 'declared' : '(none)', b.has(id) ? 'live' : '(none)'))
    .join('');
}
