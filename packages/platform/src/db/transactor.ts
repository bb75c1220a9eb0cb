import { Mutex } from 'async-mutex';
import retry from 'async-retry';
import type { EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import type { Database } from './data-source';
import { isRetryableTransactionError } from './data-source';
import type { NewEvent } from '../events/event';
import { Outbox } from '../events/outbox';

/** What a unit of work may use: the transaction's entity manager and the outbox. */
export interface UnitOfWork {
  manager: EntityManager;
  /** Events written here are committed (or rolled back) with the transaction. */
  publish(...events: NewEvent[]): Promise<void>;
  /**
   * Runs `effect` once the transaction has committed (never after a rollback, and once however
   * often a deadlock made the work run again): for in-process nudges such as "post what was just
   * enqueued", which must not see the rows before they are visible.
   */
  afterCommit(effect: () => void): void;
}

/**
 * Runs units of work as transactions, the same way on every database:
 * - SQLite has one connection per file, so transactions are serialized here (otherwise two
 *   requests would interleave statements inside one transaction);
 * - MySQL transactions that lose a deadlock or a lock wait are retried from the start;
 * - after a commit that wrote events, the outbox relay is nudged so they leave at once.
 */
export class Transactor {
  private readonly mutex = new Mutex();
  private readonly outbox = new Outbox();
  private onEvents: () => void = () => undefined;

  constructor(private readonly db: Database) {}

  /** Called after each commit that wrote outbox events (the relay wakes up). */
  onCommittedEvents(listener: () => void): void {
    this.onEvents = listener;
  }

  /**
   * @param options.isolation MySQL only (SQLite transactions are serialized): e.g. READ COMMITTED
   *   for work that must not take gap locks that would block other writers' inserts.
   */
  async run<T>(
    work: (uow: UnitOfWork) => Promise<T>,
    options: { isolation?: IsolationLevel } = {},
  ): Promise<T> {
    let wroteEvents = false;
    let afterCommit: (() => void)[] = [];
    const isolation = this.db.kind === 'mysql' ? options.isolation : undefined;
    const attempt = async (): Promise<T> => {
      wroteEvents = false;
      afterCommit = [];
      const transaction = <R>(fn: (m: EntityManager) => Promise<R>) =>
        isolation ? this.db.dataSource.transaction(isolation, fn) : this.db.dataSource.transaction(fn);
      return transaction(async (manager) =>
        work({
          manager,
          publish: async (...events) => {
            if (events.length === 0) return;
            wroteEvents = true;
            await this.outbox.add(manager, events);
          },
          afterCommit: (effect) => {
            afterCommit.push(effect);
          },
        }),
      );
    };
    const result =
      this.db.kind === 'sqlite'
        ? await this.mutex.runExclusive(attempt)
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
    if (wroteEvents) this.onEvents();
    for (const effect of afterCommit) effect();
    return result;
  }

  /**
   * Runs a read on SQLite outside any open write transaction (the single connection would
   * otherwise show another request's uncommitted rows). On MySQL reads run freely.
   */
  async read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.db.kind === 'sqlite') return this.mutex.runExclusive(() => work(this.db.dataSource.manager));
    return work(this.db.dataSource.manager);
  }
}
