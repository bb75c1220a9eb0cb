import type { Logger } from 'pino';
import { isUniqueViolation } from '../db/data-source';
import type { Transactor, UnitOfWork } from '../db/transactor';
import type { EventEnvelope } from './event';
import { InboxEventRow } from './inbox.entity';
import type { EventTransport } from './transport';

export interface ConsumerSpec {
  /** Unique per consuming service and purpose, e.g. `referrals.purchase-recorded`. */
  group: string;
  topics: string[];
  /** Runs in the same transaction as the inbox row: effects and "seen" commit together. */
  handle(event: EventEnvelope, uow: UnitOfWork): Promise<void>;
}

/**
 * Registers an idempotent durable consumer: each event id has its effect once, however often
 * and however concurrently it is delivered.
 */
export async function registerConsumer(
  transport: EventTransport,
  transactor: Transactor,
  logger: Logger,
  spec: ConsumerSpec,
): Promise<() => Promise<void>> {
  return transport.consume(spec.group, spec.topics, async (event) => {
    try {
      await transactor.run(async (uow) => {
        // Insert first: a concurrent duplicate blocks on this key, then fails and is skipped.
        const seen = await uow.manager.findOne(InboxEventRow, {
          where: { consumer: spec.group, eventId: event.id },
        });
        if (seen) return;
        await uow.manager.insert(InboxEventRow, {
          consumer: spec.group,
          eventId: event.id,
          processedAt: new Date(),
        });
        await spec.handle(event, uow);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        logger.debug({ group: spec.group, eventId: event.id }, 'duplicate delivery skipped');
        return;
      }
      throw error;
    }
  });
}
