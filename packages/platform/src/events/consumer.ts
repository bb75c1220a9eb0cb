import type { Counter } from 'prom-client';
import type { Logger } from 'pino';
import { isUniqueViolation } from '../db/data-source';
import type { Transactor, UnitOfWork } from '../db/transactor';
import type { EventEnvelope } from './event';
import { InboxEventRow } from './inbox.entity';
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
   * Optional: the effect of `handle` on each of several events in order, in fewer statements (one
   * insert for all their rows, one read for all their members). Used when a delivery brings more
   * than one event; a lone event goes to `handle`. It may throw to have the events taken one by
   * one through `handle` (a case it does not batch, e.g. a row that turns out to be there).
   */
  handleAll?(events: readonly EventEnvelope<T>[], uow: UnitOfWork): Promise<void>;
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
 * ones before it wrote, as if alone. A transaction that cannot commit is rolled back whole: if an
 * inbox row stopped it (a redelivery), the events taken before are read in one statement and
 * skipped, and the rest taken together again; any other fault (a handler's error), and the events
 * are taken one per transaction, so only the event at fault fails (and is delivered again).
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
      const rest = batch.length > 1 ? await takeTogether(batch) : batch;
      for (const event of rest) await takeOne(event).catch((error: unknown) => fail(event, error));
    }
    return failures;
  });

  /**
   * Takes the events in one transaction. Returns those still to take one by one: none once it
   * committed; all if it could not. A redelivery (after a crash, or a drain published again)
   * stops it at the inbox: the events seen before are then read in one statement and skipped, and
   * the others taken together again.
   */
  async function takeTogether(batch: readonly EventEnvelope<T>[]): Promise<readonly EventEnvelope<T>[]> {
    const error = await commitTogether(batch);
    if (error === null) return [];
    // Another fault (a handler's): each alone shows which event it is.
    if (!isUniqueViolation(error)) return batch;
    const seen = await seenBefore(batch).catch(() => new Set<string>());
    if (seen.size === 0) return batch;
    count('duplicate', seen.size);
    const rest = batch.filter((event) => !seen.has(event.id));
    return rest.length > 1 ? takeTogether(rest) : rest;
  }

  /** The events of `batch` whose inbox row is there already (delivered before). */
  async function seenBefore(batch: readonly EventEnvelope<T>[]): Promise<Set<string>> {
    const rows = await transactor.read((manager) =>
      manager
        .createQueryBuilder(InboxEventRow, 'i')
        .select('i.eventId', 'eventId')
        .where('i.consumer = :group AND i.eventId IN (:...ids)', {
          group: spec.group,
          ids: batch.map((event) => event.id),
        })
        .getRawMany<{ eventId: string }>(),
    );
    return new Set(rows.map((row) => row.eventId));
  }

  /** One transaction for the events: `null` once committed, else why it could not (nothing written). */
  async function commitTogether(batch: readonly EventEnvelope<T>[]): Promise<unknown> {
    try {
      await transactor.run(async (uow) => {
        // Inbox rows first, no read: a duplicate (redelivered, or concurrent and blocked on this
        // key) fails unique here, before any effect, and the transaction is rolled back.
        const at = new Date();
        await uow.sql.run(
          insertInbox(batch.length),
          batch.flatMap((event) => [spec.group, event.id, at]),
        );
        if (spec.handleAll && batch.length > 1) await spec.handleAll(batch, uow);
        else for (const event of batch) await spec.handle(event, uow);
      });
    } catch (error) {
      logger.debug({ err: error, group: spec.group, events: batch.length }, 'events rolled back');
      return error;
    }
    count('handled', batch.length);
    return null;
  }

  /** One event in its own transaction: skipped if delivered before, thrown if it failed. */
  async function takeOne(event: EventEnvelope<T>): Promise<void> {
    const error = await commitTogether([event]);
    if (error === null) return;
    if (!isUniqueViolation(error)) throw error;
    count('duplicate');
  }
}
