import { DateTime, Duration } from 'luxon';

/** Parsed durations by text: the same few settings are parsed on every write (luxon is slow). */
const parsed = new Map<string, Duration | null>();
const PARSED_MAX = 64;

/** Parses an ISO-8601 duration (`P1Y`, `PT20S`); null when it is not one or is not positive. */
export function parseDuration(text: string): Duration | null {
  const known = parsed.get(text);
  if (known !== undefined) return known;
  const d = Duration.fromISO(text.trim());
  const result = d.isValid && d.as('milliseconds') > 0 ? d : null;
  // Bounded: the texts come from requests too. Durations are immutable, so sharing is safe.
  if (parsed.size < PARSED_MAX) parsed.set(text, result);
  return result;
}

/**
 * Milliseconds of an ISO-8601 duration that may be zero (`PT0S`: a setting that turns something
 * off); null when it is not a duration or is negative.
 */
export function durationOrZeroMs(text: string): number | null {
  const d = Duration.fromISO(text.trim());
  if (!d.isValid) return null;
  const ms = durationMs(d);
  return ms >= 0 ? ms : null;
}

/** Like {@link parseDuration} but throws: for values that were validated at start. */
export function requireDuration(text: string): Duration {
  const d = parseDuration(text);
  if (!d) throw new Error(`not a positive ISO-8601 duration: ${text}`);
  return d;
}

const DAY_MS = 86_400_000;

/**
 * For a duration of whole days, weeks, months, quarters and years: the day (since the epoch) it
 * was last added to, and by how much it moved that day's midnight. Such a duration moves every
 * moment of a UTC day by the same amount (it changes the date and keeps the time of day), so an
 * earn's expiry is luxon's arithmetic once a day per validity, not once per earn (it was a tenth
 * of a lone earn's CPU). Other durations are added by luxon every time.
 */
const byDay = new WeakMap<Duration, { day: number; shift: number } | null>();

const DATE_UNITS = new Set(['years', 'quarters', 'months', 'weeks', 'days']);

function wholeDates(duration: Duration): boolean {
  return Object.entries(duration.toObject()).every(
    ([unit, value]) => value === 0 || (DATE_UNITS.has(unit) && Number.isInteger(value)),
  );
}

function luxonPlus(from: Date, duration: Duration): Date {
  return DateTime.fromJSDate(from, { zone: 'utc' }).plus(duration).toJSDate();
}

/** Calendar-aware addition in UTC (P1M from 31 Jan is the end of February, not 3 March). */
export function addDuration(from: Date, duration: Duration): Date {
  let last = byDay.get(duration);
  if (last === undefined) {
    last = wholeDates(duration) ? { day: NaN, shift: 0 } : null;
    byDay.set(duration, last);
  }
  if (last === null || Number.isNaN(from.getTime())) return luxonPlus(from, duration);
  const day = Math.floor(from.getTime() / DAY_MS);
  if (day !== last.day) {
    const midnight = new Date(day * DAY_MS);
    last.shift = luxonPlus(midnight, duration).getTime() - midnight.getTime();
    last.day = day;
  }
  return new Date(from.getTime() + last.shift);
}

/** Calendar-aware subtraction in UTC. */
export function subtractDuration(from: Date, duration: Duration): Date {
  return DateTime.fromJSDate(from, { zone: 'utc' }).minus(duration).toJSDate();
}

/** Milliseconds of a duration measured from a moment (years and months vary in length). */
export function durationMs(duration: Duration, from: Date = new Date()): number {
  return addDuration(from, duration).getTime() - from.getTime();
}

/** Whole days, rounded down, that a duration spans (PT12S is 0 days). */
export function wholeDays(duration: Duration, from: Date = new Date()): number {
  return Math.floor(durationMs(duration, from) / 86_400_000);
}
