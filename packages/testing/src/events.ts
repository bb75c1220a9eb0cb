import { randomUUID } from 'node:crypto';
import type { EventEnvelope, EventPayloads, Topic } from '@loyalty/platform';

/**
 * An envelope as a producer's outbox relay would deliver it, typed by the event registry, for
 * tests that feed a consumer directly. `key` defaults to the payload's `memberId`.
 */
export function testEvent<T extends Topic>(
  topic: T,
  payload: EventPayloads[T],
  overrides: Partial<Omit<EventEnvelope<T>, 'topic' | 'payload'>> = {},
): EventEnvelope<T> {
  const memberId = (payload as { memberId?: unknown }).memberId;
  return {
    id: randomUUID(),
    topic,
    key: typeof memberId === 'string' ? memberId : '',
    payload,
    occurredAt: new Date().toISOString(),
    source: 'test',
    ...overrides,
  } as EventEnvelope<T>;
}

/** What campaigns publishes for a recorded purchase at `merchant-1` (a fresh order). */
export function purchaseRecordedEvent(
  memberId: string,
  amount: number,
  overrides: Partial<EventPayloads['purchase.recorded']> = {},
): EventEnvelope<'purchase.recorded'> {
  const purchaseId = randomUUID();
  return testEvent(
    'purchase.recorded',
    {
      purchaseId,
      merchantId: 'merchant-1',
      memberId,
      orderId: `order-${purchaseId.slice(0, 8)}`,
      amount,
      occurredAt: new Date().toISOString(),
      firstPurchase: false,
      awards: [],
      ...overrides,
    },
    { source: 'campaigns' },
  );
}

/** What campaigns publishes when a purchase is refunded up to `refundedTotal` in all. */
export function purchaseRefundedEvent(
  purchase: EventEnvelope<'purchase.recorded'>,
  refundedTotal: number,
  occurredAt = new Date(),
): EventEnvelope<'purchase.refunded'> {
  const p = purchase.payload;
  return testEvent(
    'purchase.refunded',
    {
      purchaseId: p.purchaseId,
      refundId: randomUUID(),
      merchantId: p.merchantId,
      memberId: p.memberId,
      amount: refundedTotal,
      refundedTotal,
      fullyRefunded: refundedTotal >= p.amount,
    },
    { source: 'campaigns', occurredAt: occurredAt.toISOString() },
  );
}
