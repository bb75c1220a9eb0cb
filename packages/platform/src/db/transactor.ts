import { Mutex } from 'async-mutex';
import retry from 'async-retry';
import type { EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import type { Database } from './data-source';
import { isRetryableTransactionError } from './data-source';
import type { NewEvent } from '../events/event';
import { Outbox, type WrittenEvent } from '../events/outbox';
import { pipelinedTransaction } from './mysql-pipeline';
import { sqlFor, sqlOnConnection, type Sql } from './sql';

/** What a unit of work may use: the transaction's entity manager and the outbox. */
export interface UnitOfWork {
  manager: EntityManager;
  /** Plain prepared SQL on the same transaction (hot paths). */
  sql: Sql;
  /** Events written here are committed (or rolled back) with the transaction. */
  publish(...events: NewEvent[]): Promise<void>;
  /**
   * Runs `effect` once the transaction has committed (never after a rollback, and once however
   * often a deadlock made the work run again): for in-process nudges such as "post what was just
   * enqueued", which must not see the rows before they are visible.
   */
  afterCommit(effect: () => void): void;
  /** Set when the work shares its transaction with others ({@link Transactor.runGrouped}). */
  group?: GroupContext;
}

/**
 * What the works of one group-commit batch share. A deferrable work may buffer its writes in
 * `shared` and register a flush: flushes run before any work that is not deferrable (so its
 * reads see everything before it) and before the commit, each buffer written in a few multi-row
 * statements for the whole batch.
 */
export interface GroupContext {
  /** The keys of every work in the batch, sorted (what they lock first). */
  readonly keys: readonly string[];
  /** State shared by the batch's works, by name. */
  readonly shared: Map<string, unknown>;
  /** Registers a flush of buffered writes (once per buffer). */
  onFlush(flush: () => Promise<void>): void;
}

/** Options of {@link Transactor.runGrouped}. */
export interface GroupOptions {
  /**
   * What the work locks first (a member id, say). Works with the same key run in the order they
   * were submitted and never in two transactions at once; a batch takes its keys in sorted
   * order, so concurrent batches lock in one order and do not deadlock each other.
   */
  key?: string;
  /**
   * The work only locks and reads rows through its key and buffers its writes (see
   * {@link GroupContext}): it needs no savepoint, since a failure leaves nothing to undo.
   */
  deferrable?: boolean;
}

/** Tuning of group commit. */
export interface GroupCommitOptions {
  /** Most works coalesced into one transaction. */
  maxBatch: number;
  /** Most batch transactions open at once (MySQL; SQLite runs one at a time anyway). */
  maxConcurrent: number;
}

interface Job {
  work: (uow: UnitOfWork) => Promise<unknown>;
  key: string | undefined;
  deferrable: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome =
  { ok: true; value: unknown; effects: (() => void)[]; events: NewEvent[] } | { ok: false; error: unknown };

/**
 * Runs units of work as transactions, the same way on every database:
 * - SQLite has one connection per file, so transactions are serialized here (otherwise two
 *   requests would interleave statements inside one transaction);
 * - MySQL transactions that lose a deadlock or a lock wait are retried from the start;
 * - on MySQL, BEGIN and the writes held back with `sql.later` go with the next statement that
 *   needs an answer, or with the COMMIT (`MysqlPipeline`): an earn is two round trips;
 * - after a commit that wrote events, the outbox relay is nudged so they leave at once;
 * - {@link runGrouped} coalesces concurrent works into one transaction per batch (group commit).
 */
export class Transactor {
  private readonly mutex = new Mutex();
  private readonly outbox = new Outbox();
  private onEvents: (written?: readonly WrittenEvent[]) => void = () => undefined;
  private readonly queue: Job[] = [];
  private readonly busyKeys = new Set<string>();
  private batchesInFlight = 0;
  private pumpScheduled = false;
  private readonly group: GroupCommitOptions;

  constructor(
    readonly db: Database,
    group: Partial<GroupCommitOptions> = {},
  ) {
    this.group = {
      maxBatch: group.maxBatch ?? 64,
      // Few batches at once, so concurrent works queue into big batches: on MySQL each batch
      // is a handful of round trips and one commit, whatever its size.
      maxConcurrent: group.maxConcurrent ?? (db.kind === 'sqlite' ? 1 : 4),
    };
  }

  /**
   * Called after each commit that wrote outbox events (the relay wakes up), with the rows the
   * transaction wrote through `publish`, in order; without them when work wrote outbox rows in
   * its own SQL ({@link eventsCommitted}).
   */
  onCommittedEvents(listener: (written?: readonly WrittenEvent[]) => void): void {
    this.onEvents = listener;
  }

  /** For work that wrote outbox rows in its own SQL (INSERT … SELECT): call after its commit. */
  eventsCommitted(): void {
    this.onEvents();
  }

  /**
   * @param options.isolation MySQL only (SQLite transactions are serialized): e.g. READ COMMITTED
   *   for work that must not take gap locks that would block other writers' inserts.
   */
  async run<T>(
    work: (uow: UnitOfWork) => Promise<T>,
    options: { isolation?: IsolationLevel } = {},
  ): Promise<T> {
    let written: WrittenEvent[] = [];
    let afterCommit: (() => void)[] = [];
    const isolation = this.db.kind === 'mysql' ? options.isolation : undefined;
    const attempt = async (): Promise<T> => {
      written = [];
      afterCommit = [];
      return pipelinedTransaction(this.db, isolation, async (manager, pipeline) => {
        const sql = sqlFor(this.db, manager, pipeline);
        return work({
          manager,
          sql,
          publish: async (...events) => {
            if (events.length === 0) return;
            for (const row of await this.outbox.add(sql, events)) written.push(row);
          },
          afterCommit: (effect) => {
            afterCommit.push(effect);
          },
        });
      });
    };
    const result =
      this.db.kind === 'sqlite'
        ? await this.mutex.runExclusive(async () => {
            // better-sqlite3 never yields: without a turn of the event loop here, a queue of
            // transactions would run back to back in one task while requests wait unread.
            await new Promise<void>((resolve) => setImmediate(resolve));
            return attempt();
          })
        : await retry(
            async (bail) => {
              try {
                return await attempt();
              } catch (error) {
                if (!isRetryableTransactionError(error)) {
                  // bail() rejects, but a throw after it would still schedule another attempt
                  // (async-retry): a refused write would then run again later and commit.
                  bail(error as Error);
                  return undefined as never;
                }
                throw error;
              }
            },
            { retries: 5, minTimeout: 5, maxTimeout: 100, randomize: true },
          );
    if (written.length > 0) this.onEvents(written);
    for (const effect of afterCommit) effect();
    return result;
  }

  /**
   * Like {@link run}, but concurrent works share transactions (group commit): each batch is one
   * transaction with one commit, each work in it behind its own savepoint, so a work that throws
   * is rolled back alone and rejects alone while the others commit. A work runs exactly as it
   * would alone (it sees what earlier works of its batch wrote); a batch that cannot commit is
   * run again one work per transaction, so one work's trouble never fails another.
   */
  runGrouped<T>(work: (uow: UnitOfWork) => Promise<T>, options: GroupOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        work,
        key: options.key,
        deferrable: options.deferrable ?? false,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.schedulePump();
    });
  }

  /**
   * Batches are taken on the next microtask, not at the first submission: works started together
   * (a purchase's credits, `Promise.all` of writes) then share one batch and one commit instead of
   * the first going alone and the rest waiting behind its key.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.batchesInFlight < this.group.maxConcurrent && this.queue.length > 0) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      this.batchesInFlight += 1;
      for (const job of batch) if (job.key !== undefined) this.busyKeys.add(job.key);
      void this.runBatch(batch).finally(() => {
        for (const job of batch) if (job.key !== undefined) this.busyKeys.delete(job.key);
        this.batchesInFlight -= 1;
        this.pump();
      });
    }
  }

  /** Queued works whose key no other batch holds, in submission order per key. */
  private takeBatch(): Job[] {
    const batch: Job[] = [];
    const blocked = new Set<string>();
    for (let i = 0; i < this.queue.length && batch.length < this.group.maxBatch;) {
      const job = this.queue[i];
      if (job.key !== undefined && (this.busyKeys.has(job.key) || blocked.has(job.key))) {
        blocked.add(job.key);
        i += 1;
        continue;
      }
      batch.push(job);
      this.queue.splice(i, 1);
    }
    // Sorted by key (stable: per-key order kept) so concurrent batches lock rows in one order.
    return batch.sort((a, b) =>
      a.key === b.key ? 0 : a.key === undefined ? 1 : b.key === undefined ? -1 : a.key < b.key ? -1 : 1,
    );
  }

  private async runBatch(batch: Job[]): Promise<void> {
    if (batch.length === 1) {
      const [job] = batch;
      await this.run(job.work).then(job.resolve, job.reject);
      return;
    }
    let outcomes: Outcome[];
    try {
      outcomes = await this.run(async (uow) => {
        const flushes: (() => Promise<void>)[] = [];
        const flush = async () => {
          for (const f of flushes) await f();
        };
        const group: GroupContext = {
          keys: [...new Set(batch.flatMap((job) => (job.key === undefined ? [] : [job.key])))],
          shared: new Map(),
          onFlush: (f) => flushes.push(f),
        };
        const done: Outcome[] = [];
        for (const job of batch) {
          const effects: (() => void)[] = [];
          const events: NewEvent[] = [];
          const jobUow: UnitOfWork = {
            ...uow,
            group,
            publish: async (...more) => {
              events.push(...more);
            },
            afterCommit: (effect) => effects.push(effect),
          };
          if (job.deferrable) {
            try {
              done.push({ ok: true, value: await job.work(jobUow), effects, events });
            } catch (error) {
              if (isRetryableTransactionError(error)) throw error;
              done.push({ ok: false, error });
            }
            continue;
          }
          await flush();
          await uow.sql.control('SAVEPOINT group_work');
          try {
            const value = await job.work(jobUow);
            // What the work held back fails here, as its own failure, not a later work's.
            await uow.sql.flush();
            // SQLite nests savepoints of one name; MySQL replaces the old one by the next.
            if (uow.sql.kind === 'sqlite') await uow.sql.control('RELEASE SAVEPOINT group_work');
            done.push({ ok: true, value, effects, events });
          } catch (error) {
            // A deadlock or lock timeout ended the whole transaction: the batch runs again.
            if (isRetryableTransactionError(error)) throw error;
            await uow.sql.control('ROLLBACK TO SAVEPOINT group_work');
            if (uow.sql.kind === 'sqlite') await uow.sql.control('RELEASE SAVEPOINT group_work');
            done.push({ ok: false, error });
          }
        }
        await flush();
        // The batch's events in one INSERT, in the order their works ran.
        await uow.publish(...done.flatMap((o) => (o.ok ? o.events : [])));
        for (const o of done) if (o.ok) o.effects.forEach((effect) => uow.afterCommit(effect));
        return done;
      });
    } catch {
      // The batch could not commit (or kept losing deadlocks): each work on its own.
      await Promise.all(batch.map((job) => this.run(job.work).then(job.resolve, job.reject)));
      return;
    }
    outcomes.forEach((o, i) => (o.ok ? batch[i].resolve(o.value) : batch[i].reject(o.error)));
  }

  /**
   * Runs a read on SQLite outside any open write transaction (the single connection would
   * otherwise show another request's uncommitted rows). On MySQL reads run freely.
   */
  async read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.db.kind === 'sqlite') return this.mutex.runExclusive(() => work(this.db.dataSource.manager));
    return work(this.db.dataSource.manager);
  }

  /**
   * One statement that is atomic on its own (a single `UPDATE`), in autocommit: no BEGIN and
   * COMMIT round trips nor TypeORM's transaction around it. On SQLite outside any open write
   * transaction (as {@link read}); on MySQL on a pooled connection of its own.
   */
  async autocommit<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    if (this.db.kind === 'sqlite') return this.mutex.runExclusive(() => work(sqlOnConnection(this.db, null)));
    const runner = this.db.dataSource.createQueryRunner('master');
    try {
      return await work(sqlOnConnection(this.db, await runner.connect()));
    } finally {
      await runner.release();
    }
  }
}
