import type DataLoader from 'dataloader';
import type { Logger } from 'pino';
import { In, LessThanOrEqual, type FindOptionsWhere } from 'typeorm';
import type { Transactor } from '../db/transactor';
import { BackgroundLoop, retryDelayMs } from '../service/background-loop';
import { commandBatcher } from './command-batcher';
import type { CommandRow } from './command.entity';

/**
 * Posts one command to the other service (with the row's idempotency key) and returns the
 * columns to record with it (e.g. the ledger entry id). A throw leaves the command owed.
 */
export type CommandHandler<R extends CommandRow> = (row: R) => Promise<Partial<R>>;

/** Commands that must be posted before a given one, and the words recorded while it waits. */
export interface CommandPrerequisite<R extends CommandRow> {
  where: FindOptionsWhere<R>;
  reason: string;
}

export interface CommandPosterOptions<R extends CommandRow> {
  /** Named in log lines. */
  name: string;
  entity: new () => R;
  transactor: Transactor;
  logger: Logger;
  /** A handler per `operation`. */
  handlers: Record<string, CommandHandler<R>>;
  /**
   * Optional, per `operation`: posts several commands in one call, answering each one's columns
   * in order. Used by {@link CommandPoster.postRows}; a failed batch falls back to one
   * `handlers` call per command (idempotency keys make the repeat harmless).
   */
  batchHandlers?: Record<string, (rows: R[]) => Promise<Partial<R>[]>>;
  /** Most commands in one batch handler call (the peer's own limit per call); 50 by default. */
  maxBatchCall?: number;
  /** How often due commands are looked for. */
  intervalMs: number;
  /** Wait after the first failure of a command, doubling per failure up to `maxBackoffMs`. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  batchSize?: number;
  /**
   * Ordering: the commands that must be posted before this one (e.g. a reversal waits for the
   * credit it takes back, else it would take back nothing); null when it may go at once.
   */
  prerequisite?(row: R): CommandPrerequisite<R> | null;
}

/** Rounds of batches one pass makes at most (a backlog continues on the next pass). */
const MAX_ROUNDS = 50;

/**
 * Sends owed commands to another service, outside any transaction (a slow or absent peer never
 * holds the database), and marks them posted. Commands are tried at once after their
 * transaction commits (`postNow`, or a `nudge`), and by a {@link BackgroundLoop} on a timer;
 * failures wait with exponential backoff ({@link retryDelayMs}), and one success after failures
 * makes every waiting command due again (the peer is back). A crash between posting and marking,
 * or several replicas posting one row, only repeats a post with the same idempotency key, which
 * the receiver de-duplicates: posting is exactly-once in effect.
 */
export class CommandPoster<R extends CommandRow> {
  private readonly loop: BackgroundLoop;
  /** Set by stop(): a pass in progress ends after its current command. */
  private stopping = false;

  constructor(private readonly options: CommandPosterOptions<R>) {
    this.loop = new BackgroundLoop({
      name: options.name,
      intervalMs: options.intervalMs,
      logger: options.logger,
      run: () => this.pass(),
    });
  }

  start(): void {
    this.stopping = false;
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop.stop();
  }

  /** Look for due commands now (coalesces with a pass already running). */
  nudge(): void {
    this.loop.nudge();
  }

  /** Tries these commands once each, now (after the transaction that wrote them committed). */
  async postNow(ids: string[]): Promise<void> {
    if (!ids.length) return;
    const rows = await this.options.transactor.read((m) =>
      m.find(this.options.entity, { where: { id: In(ids) } as FindOptionsWhere<R> }),
    );
    // In the order given (rows written together share a timestamp), but commands without
    // prerequisites first: the ones that wait for them may then go in the same call.
    const order = (row: R) => (this.options.prerequisite?.(row) ? ids.length : 0) + ids.indexOf(row.id);
    rows.sort((a, b) => order(a) - order(b));
    for (const row of rows) {
      if (row.status === 'PENDING') await this.attempt(row);
    }
  }

  /**
   * Tries commands just committed, as written (no re-read), now: each operation's commands
   * through its batch handler where one exists, else one call each. Concurrent callers' commands
   * share the batch calls (see {@link commandBatcher}). The rows are updated in place
   * (status, result columns), so the caller can answer from them.
   */
  async postRows(rows: R[]): Promise<void> {
    const pending = rows.filter((r) => r.status === 'PENDING');
    const waits = pending.filter((r) => this.options.prerequisite?.(r));
    const free = pending.filter((r) => !this.options.prerequisite?.(r));
    const byOperation = new Map<string, R[]>();
    for (const row of free) byOperation.set(row.operation, [...(byOperation.get(row.operation) ?? []), row]);
    for (const [operation, group] of byOperation) {
      const batcher = this.batcher(operation);
      if (!batcher) {
        for (const row of group) await this.attempt(row);
        continue;
      }
      const outcomes = await batcher.loadMany(group);
      for (const [i, row] of group.entries()) {
        // The batch call failed (or its marking did): this row alone, as the background would.
        if (outcomes[i] instanceof Error) await this.attempt(row);
        else Object.assign(row, outcomes[i]);
      }
    }
    for (const row of waits) await this.attempt(row);
  }

  private readonly batchers = new Map<string, DataLoader<R, Partial<R>>>();

  /** The operation's {@link commandBatcher}, made on first use; none without a batch handler. */
  private batcher(operation: string): DataLoader<R, Partial<R>> | undefined {
    const batch = this.options.batchHandlers?.[operation];
    if (!batch) return undefined;
    let loader = this.batchers.get(operation);
    if (!loader) {
      const { transactor, entity, maxBatchCall = 50 } = this.options;
      loader = commandBatcher({ transactor, entity, batch, maxBatchCall });
      this.batchers.set(operation, loader);
    }
    return loader;
  }

  /**
   * Posts every due command now, after any pass in progress; resolves with how many were posted
   * (tests and operators; the loop does the same on its own).
   */
  async drain(): Promise<number> {
    await this.loop.idle();
    return this.pass();
  }

  /** Number of commands the other service does not have yet. */
  async pendingCount(): Promise<number> {
    return this.options.transactor.read((m) =>
      m.count(this.options.entity, { where: { status: 'PENDING' } as FindOptionsWhere<R> }),
    );
  }

  /** One pass over the due commands, batch by batch. */
  private async pass(): Promise<number> {
    const batch = this.options.batchSize ?? 100;
    let posted = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const due = await this.options.transactor.read((m) =>
        m.find(this.options.entity, {
          where: { status: 'PENDING', nextAttemptAt: LessThanOrEqual(new Date()) } as FindOptionsWhere<R>,
          order: { createdAt: 'ASC', id: 'ASC' } as never,
          take: batch,
        }),
      );
      let progressed = false;
      for (const row of due) {
        if (this.stopping) return posted;
        if (await this.attempt(row)) {
          progressed = true;
          posted++;
        }
      }
      if (!progressed || due.length < batch) return posted;
    }
    return posted;
  }

  /** One attempt; true when the command is now posted. */
  private async attempt(row: R): Promise<boolean> {
    try {
      const prerequisite = this.options.prerequisite?.(row);
      if (prerequisite && (await this.waiting(prerequisite))) {
        await this.deferred(row, prerequisite.reason, false);
        return false;
      }
      const handler = this.options.handlers[row.operation];
      if (!handler) throw new Error(`no handler for command ${row.operation}`);
      const postedAt = new Date();
      const changes = await handler(row);
      await this.posted(row, { postedAt, ...changes });
      return true;
    } catch (error) {
      this.options.logger.warn(
        { err: error, key: row.idempotencyKey, attempts: row.attempts + 1 },
        `${this.options.name}: command failed; will retry`,
      );
      const message = error instanceof Error ? error.message : String(error);
      await this.deferred(row, message, true).catch(() => undefined);
      return false;
    }
  }

  private async waiting(prerequisite: CommandPrerequisite<R>): Promise<boolean> {
    return this.options.transactor.read((m) =>
      m.exists(this.options.entity, { where: { ...prerequisite.where, status: 'PENDING' } }),
    );
  }

  private async posted(row: R, changes: Partial<R>): Promise<void> {
    const wasFailing = row.attempts > 0;
    const update = { ...changes, status: 'POSTED', lastError: null };
    await this.options.transactor.run(({ manager }) =>
      manager.update(
        this.options.entity,
        { id: row.id, status: 'PENDING' } as FindOptionsWhere<R>,
        update as never,
      ),
    );
    Object.assign(row, update);
    if (wasFailing) {
      // The peer answers again: everything that waited for it is due now.
      await this.options.transactor.run(({ manager }) =>
        manager.update(
          this.options.entity,
          { status: 'PENDING' } as FindOptionsWhere<R>,
          { nextAttemptAt: new Date() } as never,
        ),
      );
      this.nudge();
    }
  }

  private async deferred(row: R, message: string, failed: boolean): Promise<void> {
    const attempts = row.attempts + (failed ? 1 : 0);
    const wait = retryDelayMs(attempts, this.options.baseBackoffMs, this.options.maxBackoffMs);
    const nextAttemptAt = new Date(Date.now() + wait);
    await this.options.transactor.run(({ manager }) =>
      manager.update(
        this.options.entity,
        { id: row.id, status: 'PENDING' } as FindOptionsWhere<R>,
        { attempts, nextAttemptAt, lastError: message.slice(0, 500) } as never,
      ),
    );
    Object.assign(row, { attempts, nextAttemptAt });
  }
}
