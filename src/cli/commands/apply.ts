import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { Option, type Command } from 'commander';
import { loadDesiredState, formatDiagnostic } from '../../desired/index.js';
import { HermesError } from '../../errors.js';
import { applyDesiredState } from '../../reconcile/apply.js';
import { forceUnlock, resolveActor } from '../../reconcile/apply-lock.js';
import { changedFile } from '../../reconcile/desired-files.js';
import { reloadKamailioDomains } from '../../reconcile/kamailio-rpc.js';
import { parsePlanDocument, type PlanDocument } from '../../reconcile/plan-document.js';
import { DEFAULT_MAX_CHANGE_PERCENT } from '../../reconcile/safety-brake.js';
import { renderText } from '../../reconcile/render-text.js';
import { action, ExitCode, withDatabases } from '../run-command.js';
import { loadForPlan, useColor } from './plan.js';

interface ApplyOptions {
  plan?: string;
  autoApprove?: boolean;
  actor?: string;
  lockTimeout?: string;
  force?: boolean;
  maxChangePercent?: string;
  kamailioRpc?: string;
  forceUnlock?: boolean;
}

function nonNegative(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new HermesError('USAGE', `${option} must be a non-negative number, not "${value}"`);
  return n;
}

function readSavedPlan(path: string): PlanDocument {
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

async function askYes(): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question('\nDo you want to apply these changes? Only "yes" is accepted: ');
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description('make the database match the desired state (YAML files or directories, or a saved plan)')
    .argument('[paths...]', 'YAML files or directories (default ./hermes.yaml)')
    .option('--plan <file>', 'apply a plan saved by `hermes plan --out FILE` (refused when stale)')
    .option('--auto-approve', 'apply without asking for confirmation')
    .option('--actor <name>', 'who applies, for the audit log (default: GITHUB_ACTOR in CI, else cli:<user>)')
    .option('--lock-timeout <seconds>', 'wait up to this long for another apply to finish (default: fail at once)')
    .option('--force', 'apply even when the safety brake refuses the plan')
    .option('--max-change-percent <n>', `safety brake: the largest share of a kind's objects a plan may update or remove (default ${DEFAULT_MAX_CHANGE_PERCENT})`)
    .addOption(new Option('--kamailio-rpc <url>', "Kamailio's JSON-RPC URL: call domain.reload after a change to the domain table").env('HERMES_KAMAILIO_RPC'))
    .option('--force-unlock', 'remove a stale apply lock left by a process that is gone, then exit')
    .action(
      action(async (paths: string[], options: ApplyOptions, command: Command) => {
        if (options.forceUnlock) {
          const holder = await withDatabases(command, (db) => forceUnlock(db.provisioning));
          process.stdout.write(holder ? `Removed the apply lock held by ${holder}.\n` : 'The apply lock was not held.\n');
          return 0;
        }
        const lockTimeoutSeconds = nonNegative(options.lockTimeout, '--lock-timeout');
        const maxChangePercent = nonNegative(options.maxChangePercent, '--max-change-percent');
        const saved = options.plan ? readSavedPlan(options.plan) : undefined;
        if (saved && paths.length > 0) throw new HermesError('USAGE', 'give either --plan FILE or YAML paths, not both');
        let desired;
        if (saved) {
          const loaded = await loadDesiredState(saved.files.map((f) => f.path), { secrets: 'required' });
          for (const d of loaded.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
          if (!loaded.state) throw new ExitCode(1);
          desired = loaded.state;
        } else desired = await loadForPlan(paths);
        // After validation, so that a broken file is reported as such; before the database.
        if (!saved && !options.autoApprove && !process.stdin.isTTY) {
          throw new HermesError('APPLY_NOT_APPROVED', 'refusing to apply without confirmation: stdin is not a terminal (use --auto-approve, or apply a saved plan with --plan)');
        }

        const actor = resolveActor(options.actor);
        const color = useColor(process.stdout);
        const progress = Boolean(process.stderr.isTTY);
        let lastProgress = 0;
        const outcome = await withDatabases(command, (db) =>
          applyDesiredState(db, {
            desired,
            saved,
            actor,
            lockTimeoutSeconds,
            force: options.force,
            maxChangePercent,
            async confirm(plan) {
              process.stdout.write(renderText(plan, { color }));
              if (saved || options.autoApprove) return true;
              return askYes();
            },
            onProgress(done, total) {
              if (!progress || total < 50) return;
              const now = Date.now();
              if (done < total && now - lastProgress < 200) return;
              lastProgress = now;
              process.stderr.write(`\rApplying: ${done}/${total} changes${done === total ? '\n' : ''}`);
            },
          }),
        );
        if (!outcome.applied) {
          process.stdout.write('No changes. The platform matches the desired state.\n');
          return 0;
        }
        const s = outcome.plan.summary;
        process.stdout.write(`\nApply complete: ${s.add} added, ${s.change} changed, ${s.remove} removed.\n`);
        const generated = outcome.result?.generatedPasswords ?? [];
        if (generated.length > 0) {
          process.stdout.write(
            `${generated.length} new local user(s) got a generated password (not printed); read one with \`hermes call user/get user=NAME@DOMAIN\`.\n`,
          );
        }
        if (outcome.result?.domainsChanged && options.kamailioRpc) {
          try {
            await reloadKamailioDomains(options.kamailioRpc);
            process.stdout.write('Kamailio reloaded its domain table.\n');
          } catch (error) {
            process.stderr.write(`hermes: the changes are applied, but Kamailio's domain.reload failed: ${(error as Error).message} [KAMAILIO_RELOAD_FAILED]\n`);
            return 1;
          }
        }
        return 0;
      }),
    );
}
