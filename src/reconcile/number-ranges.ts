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

/** Sorted consecutive runs of the given numbers (a single number is a run of 1). */
export function compactNumbers(numbers: Iterable<string>): NumberRun[] {
  const sorted = [...numbers].sort(compareNumbers);
  const runs: NumberRun[] = [];
  let current: NumberRun | undefined;
  let last = -1;
  for (const n of sorted) {
    const v = digits(n);
    if (current && n.length === current.end.length && v === last + 1) {
      current.end = n;
      current.count++;
    } else {
      current = { start: n, end: n, count: 1 };
      runs.push(current);
    }
    last = v;
  }
  return runs;
}

/** The key of a run in a plan: the number, or start..end. */
export function runKey(run: { start: string; end: string }): string {
  return run.start === run.end ? run.start : `${run.start}..${run.end}`;
}

/** The numbers of a plan key (see runKey). */
export function numbersOfKey(key: string): string[] {
  const [start, end] = key.split('..');
  return end === undefined ? [start] : [...expandRange(start, end)];
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

/** Builds runs from ascending numeric values (a run never crosses a change of length). */
class RunBuilder {
  readonly runs: NumberRun[] = [];
  private last = -2;
  private lastLength = 0;
  push(v: number): void {
    const length = String(v).length;
    const run = this.runs[this.runs.length - 1];
    if (run && v === this.last + 1 && length === this.lastLength) {
      run.end = numberString(v);
      run.count++;
    } else this.runs.push({ start: numberString(v), end: numberString(v), count: 1 });
    this.last = v;
    this.lastLength = length;
  }
}

/**
 * The pool's changes, in numbers' order: the declared ranges and single numbers minus the
 * `used` ones are wanted; `add` = wanted and not pooled, `remove` = pooled and not wanted.
 * Works on numeric values and intervals, so a 1,000,000-number pool is cheap.
 */
export function diffPool(
  declared: { ranges: { start: string; end: string }[]; numbers: string[] },
  used: Set<number>,
  pooled: Iterable<string>,
): { add: NumberRun[]; remove: NumberRun[] } {
  const actual = Float64Array.from(pooled, numericNumber).sort();
  const intervals: [number, number][] = [
    ...declared.ranges.map((r): [number, number] => [numericNumber(r.start), numericNumber(r.end)]),
    ...declared.numbers.map((n): [number, number] => [numericNumber(n), numericNumber(n)]),
  ].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of intervals) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  const add = new RunBuilder();
  const remove = new RunBuilder();
  let j = 0;
  for (const [a, b] of merged) {
    while (j < actual.length && actual[j] < a) remove.push(actual[j++]);
    for (let v = a; v <= b; v++) {
      const present = j < actual.length && actual[j] === v;
      if (present) j++;
      if (used.has(v)) {
        if (present) remove.push(v);
      } else if (!present) add.push(v);
    }
  }
  while (j < actual.length) remove.push(actual[j++]);
  return { add: add.runs, remove: remove.runs };
}
