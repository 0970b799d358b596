import { createInterface } from 'node:readline/promises';
import { Option, type Command } from 'commander';
import type { DesiredState } from '../../desired/types.js';
import { HermesError } from '../../errors.js';
import { applyDesiredState, type ApplyOutcome, type ApplyRequest } from '../../reconcile/apply.js';
import { forceUnlock } from '../../reconcile/apply-lock.js';
import { reloadKamailioDomains } from '../../reconcile/kamailio-rpc.js';
import { notifyPhones, type NotifyReport, type PhoneToNotify } from '../../reconcile/notify-phones.js';
import { displayMac } from '../../model/index.js';
import { phoneFileHashes } from '../../ops/index.js';
import type { PlanDocument } from '../../reconcile/plan-document.js';
import { readSavedPlan } from '../../reconcile/plan-desired.js';
import { DEFAULT_MAX_CHANGE_PERCENT } from '../../reconcile/safety-brake.js';
import { renderTextChunks } from '../../reconcile/render-text.js';
import { resolveActor } from '../actor.js';
import { DEFAULT_STATE_PATH, loadDesired } from '../desired-input.js';
import { action, useColor, withDatabases, writeChunks } from '../run-command.js';

interface ApplyOptions {
  plan?: string;
  autoApprove?: boolean;
  actor?: string;
  lockTimeout?: string;
  force?: boolean;
  maxChangePercent?: string;
  kamailioRpc?: string;
  notifyPhones?: boolean;
  forceUnlock?: boolean;
}

function nonNegative(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new HermesError('USAGE', `${option} must be a non-negative number, not "${value}"`);
  return n;
}

/** Ctrl-C (or the end of input) at the prompt cancels, as "no" does. */
async function askYes(): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const cancel = new AbortController();
  const abort = () => cancel.abort();
  rl.once('SIGINT', abort).once('close', abort);
  process.once('SIGINT', abort);
  try {
    const answer = await rl.question('\nDo you want to apply these changes? Only "yes" is accepted: ', { signal: cancel.signal });
    return answer.trim() === 'yes';
  } catch (error) {
    if (cancel.signal.aborted) {
      process.stderr.write('\n');
      return false;
    }
    throw error;
  } finally {
    process.off('SIGINT', abort);
    rl.off('close', abort);
    rl.close();
  }
}

/** The desired state: a saved plan's files, or the paths; and the saved plan, if any. */
async function applyInput(paths: string[], options: ApplyOptions): Promise<{ desired: DesiredState; saved?: PlanDocument }> {
  const saved = options.plan ? readSavedPlan(options.plan) : undefined;
  if (saved && paths.length > 0) throw new HermesError('USAGE', 'give either --plan FILE or YAML paths, not both');
  const desired = await loadDesired(saved ? saved.files.map((f) => f.path) : paths);
  // After validation, so that a broken file is reported as such; before the database.
  if (!saved && !options.autoApprove && !process.stdin.isTTY) {
    throw new HermesError('APPLY_NOT_APPROVED', 'refusing to apply without confirmation: stdin is not a terminal (use --auto-approve, or apply a saved plan with --plan)');
  }
  return { desired, saved };
}

/** The plan, the confirmation and the progress line, as apply's callbacks. */
function interaction(options: ApplyOptions, saved: boolean): Pick<ApplyRequest, 'confirm' | 'onProgress'> {
  const color = useColor(process.stdout);
  const progress = Boolean(process.stderr.isTTY);
  let lastProgress = 0;
  return {
    async confirm(plan) {
      await writeChunks(process.stdout, renderTextChunks(plan, { color }), 'the plan', 'stopped there, nothing was applied');
      return saved || options.autoApprove ? true : askYes();
    },
    onProgress(done, total) {
      if (!progress || total < 50) return;
      const now = Date.now();
      if (done < total && now - lastProgress < 200) return;
      lastProgress = now;
      process.stderr.write(`\rApplying: ${done}/${total} changes${done === total ? '\n' : ''}`);
    },
  };
}

/** Prints what was applied; reloads Kamailio's domains when asked and they changed. */
async function report(outcome: ApplyOutcome, kamailioRpc: string | undefined): Promise<number> {
  if (!outcome.applied) {
    process.stdout.write('No changes. The platform matches the desired state.\n');
    return 0;
  }
  const s = outcome.summary;
  process.stdout.write(`\nApply complete: ${s.add} added, ${s.change} changed, ${s.remove} removed.\n`);
  const generated = outcome.result?.generatedPasswords ?? [];
  if (generated.length > 0) {
    process.stdout.write(`${generated.length} new local user(s) got a generated password (not printed); read one with \`hermes call user/get user=NAME@DOMAIN\`.\n`);
  }
  if (!outcome.result?.domainsChanged || !kamailioRpc) return 0;
  try {
    await reloadKamailioDomains(kamailioRpc);
  } catch (error) {
    throw new HermesError('KAMAILIO_RELOAD_FAILED', `the changes are applied, but Kamailio's domain.reload failed: ${(error as Error).message}`, { cause: error });
  }
  process.stdout.write('Kamailio reloaded its domain table.\n');
  return 0;
}

async function runApply(paths: string[], options: ApplyOptions, command: Command): Promise<number> {
  if (options.forceUnlock) {
    const holder = await withDatabases(command, (db) => forceUnlock(db.provisioning));
    process.stdout.write(holder ? `Removed the apply lock held by ${holder}.\n` : 'The apply lock was not held.\n');
    return 0;
  }
  const lockTimeoutSeconds = nonNegative(options.lockTimeout, '--lock-timeout');
  const maxChangePercent = nonNegative(options.maxChangePercent, '--max-change-percent');
  const { desired, saved } = await applyInput(paths, options);
  const request = { desired, saved, actor: resolveActor(options.actor), lockTimeoutSeconds, force: options.force, maxChangePercent, ...interaction(options, saved !== undefined) };
  if (options.notifyPhones && !options.kamailioRpc) throw new HermesError('USAGE', '--notify-phones needs --kamailio-rpc URL (or HERMES_KAMAILIO_RPC): the NOTIFYs are sent through Kamailio');
  const ctx = { actor: request.actor };
  const { outcome, changed } = await withDatabases(command, async (db) => {
    const before = options.notifyPhones ? await phoneFileHashes(db, ctx) : undefined;
    const outcome = await applyDesiredState(db, request);
    if (!before || !outcome.applied) return { outcome, changed: [] };
    const after = await phoneFileHashes(db, ctx);
    return { outcome, changed: [...after].filter(([mac, p]) => before.get(mac)?.hash !== p.hash).map(([mac, p]) => ({ mac, lines: p.lines })) };
  });
  const code = await report(outcome, options.kamailioRpc);
  if (options.notifyPhones) await notify(options.kamailioRpc!, changed);
  return code;
}

/** --notify-phones: check-sync to the phones whose files changed; unregistered ones listed. */
async function notify(url: string, phones: PhoneToNotify[]): Promise<void> {
  if (phones.length === 0) {
    process.stdout.write('No phone\'s files changed: no NOTIFY sent.\n');
    return;
  }
  let result: NotifyReport;
  try {
    result = await notifyPhones(url, phones);
  } catch (error) {
    throw new HermesError('KAMAILIO_NOTIFY_FAILED', `the changes are applied, but the phones could not be notified: ${(error as Error).message}`, { cause: error });
  }
  const contacts = result.notified.reduce((n, p) => n + p.contacts, 0);
  process.stdout.write(`Sent check-sync to ${result.notified.length} of ${phones.length} phone(s) whose files changed (${contacts} contact(s)).\n`);
  if (result.unregistered.length > 0) process.stdout.write(`Not registered, not notified: ${result.unregistered.map(displayMac).join(', ')}\n`);
  for (const f of result.failed) process.stdout.write(`Kamailio did not send to ${displayMac(f.mac)} at ${f.contact}: ${f.reason}\n`);
}

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description('make the database match the desired state (YAML files or directories, or a saved plan)')
    .argument('[paths...]', `YAML files or directories (default ${DEFAULT_STATE_PATH})`)
    .option('--plan <file>', 'apply a plan saved by `hermes plan --out FILE` (refused when stale)')
    .option('--auto-approve', 'apply without asking for confirmation')
    .option('--actor <name>', 'who applies, for the audit log (default: ci:GITHUB_ACTOR in GitHub Actions, else cli:$USER)')
    .option('--lock-timeout <seconds>', 'wait up to this long for another apply to finish (default: fail at once)')
    .option('--force', 'apply even when the safety brake refuses the plan')
    .option('--max-change-percent <n>', `safety brake: the largest share of a kind's objects a plan may update or remove (default ${DEFAULT_MAX_CHANGE_PERCENT})`)
    .addOption(new Option('--kamailio-rpc <url>', "Kamailio's JSON-RPC URL: call domain.reload after a change to the domain table").env('HERMES_KAMAILIO_RPC'))
    .option('--notify-phones', 'after the apply, send SIP NOTIFY check-sync (through --kamailio-rpc) to the registered phones whose files changed')
    .option('--force-unlock', 'remove a stale apply lock left by a process that is gone, then exit')
    .action(action(runApply));
}
