import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { HermesError } from '../../errors.js';
import { hashFiles } from '../../reconcile/desired-files.js';
import { toPlanDocument } from '../../reconcile/plan-document.js';
import { planDesiredState } from '../../reconcile/plan-desired.js';
import { renderMarkdown } from '../../reconcile/render-markdown.js';
import { renderTextChunks } from '../../reconcile/render-text.js';
import { DEFAULT_STATE_PATH, loadDesired } from '../desired-input.js';
import { databaseOptions } from '../global-options.js';
import { packageVersion } from '../package-version.js';
import { action, useColor, writeChunks } from '../run-command.js';

interface PlanOptions {
  format: 'text' | 'json' | 'markdown';
  out?: string;
  detailedExitcode?: boolean;
  fullPlan?: string;
}

function writePlanFile(path: string, text: string): void {
  try {
    writeFileSync(path, text, { mode: 0o644 });
  } catch (error) {
    throw new HermesError('FILE_UNWRITABLE', `cannot write the plan to ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('show what apply would change: the desired state (YAML files or directories) against the database')
    .argument('[paths...]', `YAML files or directories (default ${DEFAULT_STATE_PATH})`)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .option('--out <file>', 'save the plan (JSON) for `hermes apply --plan FILE`')
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are, 1 (or another error code) on error')
    .option('--full-plan <where>', 'markdown: where the full plan is kept (a URL, an artifact), named when the plan is shortened to fit a pull-request comment (default: the --out file)')
    .action(
      action(async (paths: string[], options: PlanOptions, command: Command) => {
        // The fingerprint is for what records or compares the state (json, markdown, --out).
        const fingerprint = options.format !== 'text' || options.out !== undefined;
        const { desired, plan, secrets } = await planDesiredState({ databases: databaseOptions(command), load: () => loadDesired(paths), fingerprint, pins: options.format === 'json' || options.out !== undefined });
        const document = () => toPlanDocument(plan, hashFiles(desired.files), { hermesVersion: packageVersion(), createdAt: new Date().toISOString() }, secrets);
        if (options.out) writePlanFile(options.out, JSON.stringify(document(), null, 2) + '\n');
        if (options.format === 'json') await writeChunks(process.stdout, [JSON.stringify(document(), null, 2) + '\n']);
        else if (options.format === 'markdown') await writeChunks(process.stdout, [renderMarkdown(plan, { fullPlan: options.fullPlan ?? (options.out && `saved as ${options.out} (hermes plan --out)`) })]);
        else {
          await writeChunks(process.stdout, renderTextChunks(plan, { color: useColor(process.stdout) }));
          if (options.out) process.stdout.write(`\nSaved the plan to ${options.out}: apply it with \`hermes apply --plan ${options.out}\`.\n`);
        }
        return options.detailedExitcode && plan.changes.length > 0 ? 2 : 0;
      }),
    );
}
