/**
 * E.164 numbers as runs: expanding declared ranges and compacting sets into consecutive runs
 * (same length, each one more than the previous). Numbers have at most 15 digits, so their
 * numeric part is exact in a double.
 */

export interface NumberRun {
  start: string;
  end: string;
  count: number;
}

/** Orders E.164 numbers numerically (shorter first, then digit by digit). */
export function compareNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function digits(n: string): number {
  return Number(n.slice(1));
}

function format(value: number, length: number): string {
  return '+' + String(value).padStart(length - 1, '0');
}

/** Every number from start to end inclusive (same length). */
export function* expandRange(start: string, end: string): Generator<string> {
  const a = digits(start);
  const b = digits(end);
  for (let v = a; v <= b; v++) yield format(v, start.length);
}

/** The key of a run in a plan: the number, or start..end. */
export function runKey(run: { start: string; end: string }): string {
  return run.start === run.end ? run.start : `${run.start}..${run.end}`;
}

/** The numbers of a plan key (see runKey). */
export function numbersOfKey(key: string): string[] {
  const { start, end } = runOfKey(key);
  return [...expandRange(start, end)];
}

/** The run a plan key names (the inverse of runKey): a single number is start = end. */
export function runOfKey(key: string): { start: string; end: string } {
  const [start, end = start] = key.split('..');
  return { start, end };
}

/** A run split into runs of at most `max` numbers. */
export function splitRun(start: string, end: string, max: number): { start: string; end: string }[] {
  const out: { start: string; end: string }[] = [];
  const last = digits(end);
  for (let v = digits(start); v <= last; v += max) {
    out.push({ start: format(v, start.length), end: format(Math.min(last, v + max - 1), start.length) });
  }
  return out;
}

/** The numeric value of an E.164 number ('+' then digits without a leading zero: one-to-one). */
export function numericNumber(n: string): number {
  return Number(n.slice(1));
}

function numberString(v: number): string {
  return '+' + String(v);
}

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
      runs.push({ start: numberString(lo), end: numberString(end), count: end - lo + 1 });
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
