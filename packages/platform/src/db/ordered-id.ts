import { v7 } from 'uuid';

/**
 * A time-ordered UUID (version 7, RFC 9562; the `uuid` package keeps one process's ids strictly
 * increasing, within a millisecond and when the clock steps back). Rows keyed by these ids are
 * appended at the right edge of their primary-key B-tree instead of landing on a random page: a
 * write dirties one page there, not one per row (random v4 keys cost a page each at commit and at
 * every checkpoint on SQLite, and a random clustered-index insert on InnoDB).
 */
export function orderedUuid(): string {
  return v7();
}
