import type { Logger } from 'pino';
import { requestScope } from '../http/request-scope';

export interface BackgroundLoopOptions {
  /** Named in log lines. */
  name: string;
  /** Time between runs when nothing nudges the loop. */
  intervalMs: number;
  logger: Logger;
  /** Run a pass as soon as the loop starts (default), or only after the first interval. */
  runAtStart?: boolean;
  /** One pass of the work; a throw is logged and the next pass tries again. */
  run(): Promise<unknown>;
}

/**
 * Runs background work (outbox relay, ledger posters, sweepers) on a timer and when nudged,
 * one pass at a time: a nudge during a pass schedules exactly one more pass. Passes run outside
 * any HTTP request's scope, so their SQL is never counted as the request's.
 */
export class BackgroundLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(private readonly options: BackgroundLoopOptions) {}

  get isRunning(): boolean {
    return !this.stopped;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.nudge();
      schedule();
    };
    const schedule = () => {
      this.timer = setTimeout(tick, this.options.intervalMs);
      this.timer.unref();
    };
    if (this.options.runAtStart === false) schedule();
    else tick();
  }

  /** Run a pass now, or right after the one in progress. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.occupy(
      requestScope
        .exit(() => this.options.run())
        .then(
          () => undefined,
          (err: unknown) =>
            this.options.logger.warn(
              { err, loop: this.options.name },
              `${this.options.name} failed; will retry`,
            ),
        ),
    );
  }

  /** Marks `pass` as the one in progress; when it ends, a nudge received meanwhile runs the next. */
  private occupy(pass: Promise<void>): void {
    this.running = pass.finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.nudge();
      }
    });
  }

  /**
   * Runs `work` in the loop's turn: after the pass in progress, and with no pass beside it (a
   * nudge meanwhile runs one pass after it). Runs even when the loop is stopped. For a caller's
   * own pass of the same work (a relay's flush), which must not race the loop's.
   */
  async runExclusive<T>(work: () => Promise<T>): Promise<T> {
    // Checked and taken in one synchronous step: a nudge cannot start a pass in between.
    while (this.running) await this.running;
    const done = requestScope.exit(work);
    // Its failure is the caller's to handle; the loop only needs to know when it ended.
    this.occupy(
      done.then(
        () => undefined,
        () => undefined,
      ),
    );
    return done;
  }

  /** Resolves when no pass is in progress (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops the timer and waits for the pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.idle();
  }
}

/**
 * Delay before the next attempt of persisted work (a ledger posting, a grant) after `attempts`
 * failures: `baseMs` doubling per failure, capped at `maxMs`.
 */
export function retryDelayMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), maxMs);
}
