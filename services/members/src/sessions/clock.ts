/**
 * Time as sign-in, sessions and member codes see it. Tests move it forward (a code expiring after
 * five minutes) instead of sleeping.
 */
export class Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves this clock (never the system's) forward by `ms`. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
