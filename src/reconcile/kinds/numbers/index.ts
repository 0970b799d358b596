/**
 * The number pool (hermes_numbers: the AVAILABLE numbers): the declared ranges and numbers
 * minus the numbers in use as E.164 aliases after the apply (which the aliases kind reports in
 * PlanContext.usedNumbers), as runs.
 */
import { MAX_RANGE_SIZE, runKey, splitRun, type NumberRun, expandRange } from '../../../model/index.js';
import { addNumberRange, addNumbers, removeNumbers } from '../../../ops/index.js';
import { diffPool } from '../../number-ranges.js';
import type { ChangeDisplay } from '../../plan-types.js';
import type { ResourceKind } from '../kind.js';

export interface NumberChange extends ChangeDisplay {
  kind: 'number';
  action: 'create' | 'delete';
  run: NumberRun;
}

export const numbers: ResourceKind<NumberChange> = {
  kind: 'number',
  plan({ desired, actual, managed, usedNumbers, add }) {
    if (desired.numbers === undefined) return;
    managed.number = actual.poolSize;
    const { add: added, remove } = diffPool(desired.numbers, usedNumbers, actual.pool);
    for (const run of added) add({ action: 'create', kind: 'number', key: runKey(run), count: run.count, after: { count: run.count }, run });
    for (const run of remove) add({ action: 'delete', kind: 'number', key: runKey(run), count: run.count, before: { count: run.count }, run });
  },
  async execute(db, action, changes, ctx) {
    if (action === 'delete') {
      for (const c of changes) await removeNumbers(db, [...expandRange(c.run.start, c.run.end)], ctx.ops);
      return;
    }
    // Runs go in as ranges (bulk, one audit row per run), single numbers as a batch.
    const singles: string[] = [];
    for (const c of changes) {
      for (const part of splitRun(c.run, MAX_RANGE_SIZE)) {
        if (part.count === 1) singles.push(part.start);
        else await addNumberRange(db, part.start, part.end, ctx.ops);
      }
    }
    if (singles.length > 0) await addNumbers(db, singles, ctx.ops);
  },
};
