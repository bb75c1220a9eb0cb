/** Calendar facts of an instant in a time zone (weekday, day of month), with no date library. */
export interface LocalDay {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Day of the month, 1–31. */
  monthDay: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', day: 'numeric' });
    formats.set(timeZone, f);
  }
  return f;
}

/** True for a time zone name the runtime knows (e.g. `Asia/Shanghai`, `UTC`). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local weekday and day of month of `at` in `timeZone`. */
export function localDay(at: Date, timeZone: string): LocalDay {
  const parts = formatFor(timeZone).formatToParts(at);
  const weekday = WEEKDAYS[parts.find((p) => p.type === 'weekday')?.value ?? ''];
  const monthDay = Number(parts.find((p) => p.type === 'day')?.value);
  if (!weekday || !Number.isInteger(monthDay))
    throw new Error(`cannot read local day of ${at.toISOString()} in ${timeZone}`);
  return { weekday, monthDay };
}
