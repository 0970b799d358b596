/**
 * Sets of E.164 numbers as runs: compacting sets into consecutive runs (same length, each one
 * more than the previous) and the pool's diff. Numbers themselves are src/model's.
 */
import { numberOf, numericNumber, type NumberRun } from '../model/index.js';

export type { NumberRun };

/** Closed intervals [first, last] of numeric values. */
type Interval = [number, number];

/** Sorted, merged (overlapping or adjacent joined) intervals. */
function mergeIntervals(intervals: Interval[]): Interval[] {
  intervals.sort((a, b) => a[0] - b[0]);
  const merged: Interval[] = [];
  for (const [a, b] of intervals) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

/** a minus b, both sorted and merged. */
function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const [first, last] of a) {
    let lo = first;
    while (j < b.length && b[j][1] < lo) j++;
    for (let k = j; k < b.length && b[k][0] <= last && lo <= last; k++) {
      if (b[k][0] > lo) out.push([lo, b[k][0] - 1]);
      lo = Math.max(lo, b[k][1] + 1);
    }
    if (lo <= last) out.push([lo, last]);
  }
  return out;
}

/** Intervals as runs; a run never crosses a change of length (99 and 100 are two runs). */
function toRuns(intervals: readonly Interval[]): NumberRun[] {
  const runs: NumberRun[] = [];
  for (const [first, last] of intervals) {
    let lo = first;
    while (lo <= last) {
      const end = Math.min(last, 10 ** String(lo).length - 1);
      runs.push({ start: numberOf(lo), end: numberOf(end), count: end - lo + 1 });
      lo = end + 1;
    }
  }
  return runs;
}

const runInterval = (r: { start: string; end: string }): Interval => [numericNumber(r.start), numericNumber(r.end)];

/** Runs (and single numbers as runs of one) sorted and merged into the fewest runs. */
export function mergeRuns(runs: readonly { start: string; end: string }[]): NumberRun[] {
  return toRuns(mergeIntervals(runs.map(runInterval)));
}

/**
 * The pool's changes, in numbers' order: the declared ranges and single numbers minus the
 * `used` ones are wanted; `add` = wanted and not pooled, `remove` = pooled and not wanted.
 * Works on intervals of numeric values (the pool arrives as runs, see readActualState), so a
 * 1,000,000-number pool costs as much as its handful of runs.
 */
export function diffPool(
  declared: { ranges: { start: string; end: string }[]; numbers: string[] },
  used: Iterable<number>,
  pooled: readonly { start: string; end: string }[],
): { add: NumberRun[]; remove: NumberRun[] } {
  const wantedRaw = mergeIntervals([...declared.ranges.map(runInterval), ...declared.numbers.map((n): Interval => [numericNumber(n), numericNumber(n)])]);
  const usedSorted = Float64Array.from(used).sort();
  const usedIntervals: Interval[] = [];
  for (const v of usedSorted) {
    const last = usedIntervals[usedIntervals.length - 1];
    if (last && v <= last[1] + 1) last[1] = Math.max(last[1], v);
    else usedIntervals.push([v, v]);
  }
  const wanted = subtract(wantedRaw, usedIntervals);
  const actual = mergeIntervals(pooled.map(runInterval));
  return { add: toRuns(subtract(wanted, actual)), remove: toRuns(subtract(actual, wanted)) };
}
