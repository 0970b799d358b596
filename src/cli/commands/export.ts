import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { HermesError } from '../../errors.js';
import { exportActualState, exportDesiredState } from '../../reconcile/export-state.js';
import { EXPORT_TEMPLATES_DIR, templateDiffs, writeExportTemplates } from '../../reconcile/export-templates.js';
import { readActualState } from '../../reconcile/read-actual.js';
import { renderStateYaml, schemaPathFrom } from '../../reconcile/render-yaml.js';
import { SCHEMA_URL } from '../../desired/index.js';
import { action, withDatabases, writeChunks } from '../run-command.js';
import { DEFAULT_STATE_PATH, loadDesired } from '../desired-input.js';

interface ExportOptions {
  out?: string;
  diff?: boolean;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write the live database as desired-state YAML (no passwords), or diff it against declared YAML')
    .argument('[paths...]', `with --diff: YAML files or directories (default ${DEFAULT_STATE_PATH})`)
    .option('--out <file>', 'write the YAML to this file instead of stdout')
    .option('--diff', 'print a unified diff between the declared state and the live database, both rendered canonically')
    .action(
      action(async (paths: string[], options: ExportOptions, command: Command) => {
        let text: string;
        if (options.diff) {
          const desired = await loadDesired(paths, { secrets: 'warn' });
          const actual = await withDatabases(command, (db) => readActualState(db), { readOnly: true });
          const declaredState = exportDesiredState(desired);
          const liveState = exportActualState(actual, desired);
          const declared = renderStateYaml(declaredState.document);
          const live = renderStateYaml(liveState.document);
          const { createTwoFilesPatch } = await import('diff');
          text = declared !== live ? createTwoFilesPatch('declared', 'database', declared, live, (paths.length ? paths : [DEFAULT_STATE_PATH]).join(' '), 'live') : '';
          text += await templateDiffs(declaredState.templates, liveState.templates);
        } else {
          if (paths.length > 0) throw new HermesError('USAGE', 'export takes no paths (did you mean `hermes export --diff PATHS`?)');
          const result = await withDatabases(command, async (db) => exportActualState(await readActualState(db)), { readOnly: true });
          if (options.out) result.warnings.push(...writeExportTemplates(result, options.out));
          else if (result.templates.length > 0) result.warnings.push(`provisioning: ${result.templates.length} template override(s) are stored; export writes them only with --out (into ${EXPORT_TEMPLATES_DIR}/ beside the file)`);
          for (const w of result.warnings) process.stderr.write(`hermes: warning: ${w}\n`);
          const folder = options.out ? dirname(resolve(options.out)) : process.cwd();
          text = renderStateYaml(
            result.document,
            ['Exported by `hermes export`. No passwords: a user without one keeps the stored password.', ...result.notes.leftOut],
            schemaPathFrom(folder, fileURLToPath(SCHEMA_URL)),
            result.notes,
          );
        }
        if (options.out) {
          try {
            writeFileSync(options.out, text);
          } catch (error) {
            throw new HermesError('FILE_UNWRITABLE', `cannot write the export to ${options.out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
          }
        } else await writeChunks(process.stdout, [text], 'the export');
        return 0;
      }),
    );
}
