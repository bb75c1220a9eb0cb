import type { Counter } from 'prom-client';
import type { Logger } from 'pino';
import { isUniqueViolation } from '../db/data-source';
import type { Transactor, UnitOfWork } from '../db/transactor';
import type { EventEnvelope } from './event';
import type { Topic } from './registry';
import type { DeliveryFailure, EventTransport } from './transport';

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
   * A read before any transaction, once per delivery with all its events: for each event, in
   * order, `false` when `handle` would have no effect on it, which is then skipped without a
   * transaction or an inbox row (most events of a consumer that acts on few, e.g. webhooks of
   * merchants without endpoints). One call for the delivery lets a consumer read once for all its
   * events (one `IN (…)`). `handle` decides again in its transaction; a `true` here never has to
   * be right, a `false` must be.
   */
  relevant?(events: readonly EventEnvelope<T>[]): readonly boolean[] | Promise<readonly boolean[]>;
}

/** Most events taken in one transaction: a long transaction holds its locks as long. */
const MAX_BATCH = 50;

/** Plain prepared SQL: it runs for every delivery, the query builder cost more than it. */
const insertInbox = (count: number) =>
  `INSERT INTO \`inbox_events\` (\`consumer\`, \`eventId\`, \`processedAt\`) VALUES ${Array(count)
    .fill('(?, ?, ?)')
    .join(', ')}`;

/**
 * Registers an idempotent durable consumer: each event id has its effect once, however often
 * and however concurrently it is delivered.
 *
 * The events a delivery brings (a relay's drain, a Streams read) are taken in one transaction:
 * one inbox statement and one commit for all of them, then each handler in order, seeing what the
 * ones before it wrote, as if alone. Should that transaction fail for any reason (a duplicate's
 * inbox row, one handler's error), it is rolled back whole and the events are taken again one per
 * transaction, so only the event at fault fails (and is delivered again), and a duplicate is
 * skipped alone.
 */
export async function registerConsumer<T extends Topic>(
  transport: EventTransport,
  transactor: Transactor,
  logger: Logger,
  spec: ConsumerSpec<T>,
  /** Counts each event's outcome (`Metrics.events`). */
  outcomes?: Counter<'consumer' | 'outcome'>,
): Promise<() => Promise<void>> {
  const count = (outcome: 'handled' | 'skipped' | 'duplicate' | 'failed', n = 1) =>
    outcomes?.inc({ consumer: spec.group, outcome }, n);
  return transport.consume(spec.group, [...spec.topics], async (envelopes) => {
    // The transport delivers only the topics subscribed to above.
    const events = envelopes as readonly EventEnvelope<T>[];
    const failures: DeliveryFailure[] = [];
    const fail = (event: EventEnvelope<T>, error: unknown) => {
      count('failed');
      // The transport's own (untyped) envelope: it matches failures to its messages by identity.
      failures.push({ event: event as EventEnvelope, error });
    };
    let wanted: readonly boolean[];
    try {
      wanted = spec.relevant ? await spec.relevant(events) : events.map(() => true);
      // A verdict missing would skip its event for good: a fault to see, not to guess through.
      if (wanted.length !== events.length)
        throw new Error(`${spec.group}: ${wanted.length} relevance verdicts for ${events.length} events`);
    } catch (error) {
      for (const event of events) fail(event, error);
      return failures;
    }
    const due = events.filter((_, i) => {
      if (!wanted[i]) count('skipped');
      return wanted[i];
    });
    for (let i = 0; i < due.length; i += MAX_BATCH) {
      const batch = due.slice(i, i + MAX_BATCH);
      if (batch.length > 1 && (await takeTogether(batch))) continue;
      for (const event of batch) await takeOne(event).catch((error: unknown) => fail(event, error));
    }
    return failures;
  });

  /** Takes the events in one transaction; `false` (nothing written) if it could not commit. */
  async function takeTogether(batch: readonly EventEnvelope<T>[]): Promise<boolean> {
    try {
      await transactor.run(async (uow) => {
        // Inbox rows first, as for one event: a duplicate fails the statement before any effect.
        const at = new Date();
        await uow.sql.run(
          insertInbox(batch.length),
          batch.flatMap((event) => [spec.group, event.id, at]),
        );
        for (const event of batch) await spec.handle(event, uow);
      });
    } catch (error) {
      logger.debug({ err: error, group: spec.group, events: batch.length }, 'batch rolled back; one by one');
      return false;
    }
    count('handled', batch.length);
    return true;
  }

  async function takeOne(event: EventEnvelope<T>): Promise<void> {
    try {
      await transactor.run(async (uow) => {
        // Insert first, no read: a duplicate (redelivered, or concurrent and blocked on this key)
        // fails unique here, before any effect, and the transaction is rolled back and skipped.
        await uow.sql.run(insertInbox(1), [spec.group, event.id, new Date()]);
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
