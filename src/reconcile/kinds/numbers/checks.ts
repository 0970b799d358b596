/**
 * The semantic checks of `numbers` (the pool): E.164, the model's one range rule (the one
 * numbers/add_range applies), overlaps and duplicates; the pool for the kinds after.
 */
import { checkRange, isE164, MAX_RANGE_SIZE } from '../../../model/index.js';
import type { RawNumberRange } from '../../../desired/raw-types.js';
import { compareLocations, type Item, type SemanticChecker } from '../../../desired/semantics.js';
import { formatLocation } from '../../../desired/source-file.js';
import type { DesiredNumberRange, DesiredState, SourceLocation } from '../../../desired/types.js';

type LocatedRange = DesiredNumberRange & { at: SourceLocation };

/** The range of an item, or null after reporting why it is not one. */
function range(c: SemanticChecker, item: Item<RawNumberRange>): LocatedRange | null {
  const { start, end } = item.value;
  let ok = true;
  for (const field of ['start', 'end'] as const)
    if (!isE164(item.value[field])) {
      c.report('HERMES_INVALID_E164', c.at(item, field), `${field} ${JSON.stringify(item.value[field])} is not an E.164 number: '+' then 1 to 15 digits, no leading zero, e.g. "+4722334400"`);
      ok = false;
    }
  if (!ok) return null;
  const run = checkRange(start, end);
  if (!('problem' in run)) return { start, end, at: item.at };
  const at = c.at(item, 'end');
  if (run.problem === 'length-mismatch') c.report('HERMES_RANGE_LENGTH_MISMATCH', at, `range ${start} to ${end}: start and end must have the same number of digits (${start.length - 1} and ${end.length - 1})`);
  else if (run.problem === 'too-large') c.report('HERMES_RANGE_TOO_LARGE', at, `range ${start} to ${end} holds ${run.size.toLocaleString('en-US')} numbers; a range holds at most ${MAX_RANGE_SIZE.toLocaleString('en-US')} (split it)`);
  else if (start === end) c.report('HERMES_RANGE_INVERTED', at, `range ${start} to ${end} is a single number; end must be greater than start (list a single number under numbers.numbers)`);
  else c.report('HERMES_RANGE_INVERTED', at, `range ${start} to ${end} ends before it starts; end must be greater than start`);
  return null;
}

/** The ranges merged where they overlap (reported), sorted by length, then start. */
function mergeOverlaps(c: SemanticChecker, ranges: LocatedRange[]): LocatedRange[] {
  const sorted = [...ranges].sort((a, b) => a.start.length - b.start.length || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const kept: LocatedRange[] = [];
  for (const r of sorted) {
    const prev = kept[kept.length - 1];
    if (prev && prev.start.length === r.start.length && r.start <= prev.end) {
      const [first, second] = compareLocations(prev.at, r.at) <= 0 ? [prev, r] : [r, prev];
      c.report('HERMES_DUPLICATE_NUMBER', second.at, `range ${second.start} to ${second.end} overlaps the range ${first.start} to ${first.end} at ${formatLocation(first.at)}; a number is in the pool once`);
      if (r.end > prev.end) kept[kept.length - 1] = { ...prev, end: r.end };
      continue;
    }
    kept.push(r);
  }
  return kept;
}

/** The range (of merged, sorted ranges) holding n, by binary search. */
function finder(kept: LocatedRange[]): (n: string) => LocatedRange | undefined {
  return (n) => {
    let lo = 0;
    let hi = kept.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = kept[mid];
      if (r.start.length < n.length || (r.start.length === n.length && r.end < n)) lo = mid + 1;
      else if (r.start.length > n.length || r.start > n) hi = mid - 1;
      else return r;
    }
    return undefined;
  };
}

export function checkNumbers(c: SemanticChecker, state: DesiredState): void {
  const facts = c.facts;
  facts.poolDeclared = c.parts.some((p) => p.data.numbers !== undefined);
  facts.poolComplete = !c.parts.some((p) => c.isInvalid(p, ['numbers']));
  const ranges: LocatedRange[] = [];
  for (const item of c.items<RawNumberRange>('numbers', 'ranges', ['start', 'end']).valid) {
    const r = range(c, item);
    if (r) ranges.push(r);
    else facts.poolComplete = false;
  }
  const inRange = finder(mergeOverlaps(c, ranges));
  const singles = new Map<string, SourceLocation>();
  for (const item of c.items<string>('numbers', 'numbers', []).valid) {
    const n = item.value;
    if (!isE164(n)) {
      c.report('HERMES_INVALID_E164', item.at, `${JSON.stringify(n)} is not an E.164 number: '+' then 1 to 15 digits, no leading zero, e.g. "+4761123456"`);
      facts.poolComplete = false;
      continue;
    }
    const other = singles.get(n);
    const r = inRange(n);
    if (other) c.report('HERMES_DUPLICATE_NUMBER', item.at, `number ${n} is in the pool twice; it is also at ${formatLocation(other)}`);
    else if (r) c.report('HERMES_DUPLICATE_NUMBER', item.at, `number ${n} is in the pool twice; it is inside the range ${r.start} to ${r.end} at ${formatLocation(r.at)}`);
    else singles.set(n, item.at);
  }
  if (facts.poolDeclared) state.numbers = { ranges: ranges.map(({ start, end }) => ({ start, end })), numbers: [...singles.keys()], at: c.firstSectionAt('numbers') };
  facts.inPool = (n) => singles.has(n) || inRange(n) !== undefined;
}
