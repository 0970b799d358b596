/**
 * IANA time zones turned into what phones understand: a standard UTC offset and, where the
 * zone has daylight saving time, its start and end as "month, week of month, weekday, local
 * time" rules (the form Yealink, Snom, Poly and POSIX TZ strings use). The rules are read
 * from Node's ICU time-zone data for the fixed reference year RULE_YEAR, so rendering is
 * deterministic (a file's hash does not change on New Year's Day).
 */

export const RULE_YEAR = 2026;

export interface DstRule {
  /** 1-12 */
  month: number;
  /** 1-4, or 5 for the last such weekday of the month. */
  week: number;
  /** 0 = Sunday ... 6 = Saturday. */
  weekday: number;
  /** Local wall-clock time of the change, in minutes after midnight (before the change). */
  minutes: number;
}

export interface TimeZoneInfo {
  /** The IANA name, canonical spelling as given. */
  name: string;
  /** Standard time's offset from UTC in minutes (east positive). */
  standardOffset: number;
  /** Daylight time: its offset from UTC in minutes and its rules; undefined when none. */
  dst?: { offset: number; start: DstRule; end: DstRule };
  /** POSIX TZ string, e.g. STD-1DST,M3.5.0/2:00,M10.5.0/3:00 */
  posix: string;
}

/** True when `name` is a time zone Node's ICU knows (an IANA name such as Europe/Oslo). */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function offsetReader(zone: string): (ms: number) => number {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  return (ms) => {
    const text = format.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(text);
    return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  };
}

interface Transition {
  /** UTC ms of the first instant with the new offset. */
  at: number;
  from: number;
  to: number;
}

const DAY = 86_400_000;
const MINUTE = 60_000;

function transitions(offsetAt: (ms: number) => number): Transition[] {
  const found: Transition[] = [];
  let t = Date.UTC(RULE_YEAR, 0, 1);
  let before = offsetAt(t);
  for (let day = 0; day < 366; day++, t += DAY) {
    const after = offsetAt(t + DAY);
    if (after === before) continue;
    let lo = t;
    let hi = t + DAY;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (offsetAt(mid) === before) lo = mid;
      else hi = mid;
    }
    found.push({ at: hi, from: before, to: after });
    before = after;
  }
  return found;
}

function ruleOf(tr: Transition): DstRule {
  const local = new Date(tr.at + tr.from * MINUTE);
  const day = local.getUTCDate();
  const daysInMonth = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 0)).getUTCDate();
  return {
    month: local.getUTCMonth() + 1,
    week: day + 7 > daysInMonth ? 5 : Math.ceil(day / 7),
    weekday: local.getUTCDay(),
    minutes: local.getUTCHours() * 60 + local.getUTCMinutes(),
  };
}

/** "+1", "-3:30", "+5:45": hours and minutes east of UTC. */
export function formatOffset(minutes: number, sign: 'east' | 'posix' = 'east'): string {
  const value = sign === 'posix' ? -minutes : minutes;
  const abs = Math.abs(value);
  const text = `${Math.floor(abs / 60)}${abs % 60 ? `:${String(abs % 60).padStart(2, '0')}` : ''}`;
  return `${value < 0 ? '-' : sign === 'east' ? '+' : ''}${text}`;
}

function posixRule(r: DstRule): string {
  return `M${r.month}.${r.week}.${r.weekday}/${Math.floor(r.minutes / 60)}:${String(r.minutes % 60).padStart(2, '0')}`;
}

/** The phone-facing facts of an IANA time zone; throws on an unknown name. */
export function timeZoneInfo(name: string): TimeZoneInfo {
  if (!isTimeZone(name)) throw new Error(`unknown time zone "${name}"`);
  const found = transitions(offsetReader(name));
  const start = found.find((t) => t.to > t.from);
  const end = found.find((t) => t.to < t.from);
  if (!start || !end) {
    const standardOffset = offsetReader(name)(Date.UTC(RULE_YEAR, 0, 1));
    return { name, standardOffset, posix: `STD${formatOffset(standardOffset, 'posix')}` };
  }
  const dst = { offset: start.to, start: ruleOf(start), end: ruleOf(end) };
  const std = start.from;
  const dstPart = dst.offset - std === 60 ? '' : formatOffset(dst.offset, 'posix');
  return { name, standardOffset: std, dst, posix: `STD${formatOffset(std, 'posix')}DST${dstPart},${posixRule(dst.start)},${posixRule(dst.end)}` };
}
