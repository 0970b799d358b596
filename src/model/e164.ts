/**
 * E.164 numbers and ranges of them. Numbers have at most 15 digits, so their numeric part is
 * exact in a double; '+' then digits without a leading zero makes number <-> value one-to-one.
 */

/** E.164: '+' then 1 to 15 digits, no leading zero. */
export function isE164(input: string): boolean {
  return /^\+[1-9][0-9]{0,14}$/.test(input);
}

/** The numeric value of an E.164 number. */
export function numericNumber(n: string): number {
  return Number(n.slice(1));
}

/** The E.164 number of a numeric value. */
export function numberOf(value: number): string {
  return '+' + String(value);
}

/** A run of consecutive numbers of one length: start..end inclusive, `count` numbers. */
export interface NumberRun {
  start: string;
  end: string;
  count: number;
}

/** A range holds at most this many numbers (the YAML's ranges and numbers/add_range alike). */
export const MAX_RANGE_SIZE = 1_000_000;

/** Why start..end is not a range, for both the YAML checks and numbers/add_range. */
export type RangeProblem =
  | { problem: 'invalid-start' }
  | { problem: 'invalid-end' }
  | { problem: 'length-mismatch' }
  | { problem: 'not-ascending' }
  | { problem: 'too-large'; size: number };

/**
 * The one range rule: start and end are E.164 numbers of the same length (the same lead-in),
 * start is less than end (a single number is a number, not a range: the API contract's rule),
 * and the range holds at most MAX_RANGE_SIZE numbers. Returns the run, or the problem.
 */
export function checkRange(start: string, end: string): NumberRun | RangeProblem {
  if (!isE164(start)) return { problem: 'invalid-start' };
  if (!isE164(end)) return { problem: 'invalid-end' };
  if (start.length !== end.length) return { problem: 'length-mismatch' };
  const size = numericNumber(end) - numericNumber(start) + 1;
  if (size <= 1) return { problem: 'not-ascending' };
  if (size > MAX_RANGE_SIZE) return { problem: 'too-large', size };
  return { start, end, count: size };
}

/** Every number from start to end inclusive (same length, start <= end). */
export function* expandRange(start: string, end: string): Generator<string> {
  const last = numericNumber(end);
  for (let v = numericNumber(start); v <= last; v++) yield numberOf(v);
}

/** The run from start to end (same length, start <= end). */
export function runOf(start: string, end: string = start): NumberRun {
  return { start, end, count: numericNumber(end) - numericNumber(start) + 1 };
}

/** A run split into runs of at most `max` numbers. */
export function splitRun(run: { start: string; end: string }, max: number): NumberRun[] {
  const out: NumberRun[] = [];
  const last = numericNumber(run.end);
  for (let v = numericNumber(run.start); v <= last; v += max) out.push(runOf(numberOf(v), numberOf(Math.min(last, v + max - 1))));
  return out;
}

/** A run as text: the number, or start..end. */
export function runKey(run: { start: string; end: string }): string {
  return run.start === run.end ? run.start : `${run.start}..${run.end}`;
}
