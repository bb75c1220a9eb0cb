import type { Counter } from 'prom-client';
import type { Logger } from 'pino';
import { isUniqueViolation } from '../db/data-source';
import type { Transactor, UnitOfWork } from '../db/transactor';
import type { EventEnvelope } from './event';
import type { Topic } from './registry';
import type { EventTransport } from './transport';

export interface ConsumerSpec<T extends Topic = Topic> {
  /** Unique per consuming service and purpose, e.g. `referrals.purchase-recorded`. */
  group: string;
  topics: readonly T[];
  /**
   * Runs in the same transaction as the inbox row: effects and "seen" commit together. The event
   * is typed by its topic (narrow with `event.topic === Topics.x` when there are several).
   */
  handle(event: EventEnvelope<T>, uow: UnitOfWork): Promise<void>;
  /**
   * A read before any transaction: `false` when `handle` would have no effect on this event,
   * which is then skipped without a transaction or an inbox row (most events of a consumer that
   * acts on few, e.g. webhooks of merchants without endpoints). `handle` decides again in its
   * transaction; a `true` here never has to be right, a `false` must be.
   */
  relevant?(event: EventEnvelope<T>): boolean | Promise<boolean>;
}

/** Plain prepared SQL: it runs once per event and consumer, the query builder cost more than it. */
const INSERT_INBOX = 'INSERT INTO `inbox_events` (`consumer`, `eventId`, `processedAt`) VALUES (?, ?, ?)';

/**
 * Registers an idempotent durable consumer: each event id has its effect once, however often
 * and however concurrently it is delivered.
 */
export async function registerConsumer<T extends Topic>(
  transport: EventTransport,
  transactor: Transactor,
  logger: Logger,
  spec: ConsumerSpec<T>,
  /** Counts each event's outcome (`Metrics.events`). */
  outcomes?: Counter<'consumer' | 'outcome'>,
): Promise<() => Promise<void>> {
  const count = (outcome: 'handled' | 'skipped' | 'duplicate' | 'failed') =>
    outcomes?.inc({ consumer: spec.group, outcome });
  return transport.consume(spec.group, [...spec.topics], async (envelope) => {
    // The transport delivers only the topics subscribed to above.
    const event = envelope as EventEnvelope<T>;
    try {
      await take(event);
    } catch (error) {
      count('failed');
      throw error;
    }
  });

  async function take(event: EventEnvelope<T>): Promise<void> {
    if (spec.relevant && !(await spec.relevant(event))) {
      count('skipped');
      return;
    }
    try {
      await transactor.run(async (uow) => {
        // Insert first, no read: a duplicate (redelivered, or concurrent and blocked on this key)
        // fails unique here, before any effect, and the transaction is rolled back and skipped.
        await uow.sql.run(INSERT_INBOX, [spec.group, event.id, new Date()]);
        await spec.handle(event, uow);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        logger.debug({ group: spec.group, eventId: event.id }, 'duplicate delivery skipped');
        count('duplicate');
        return;
      }
      throw error;
    }
    count('handled');
  }
}
