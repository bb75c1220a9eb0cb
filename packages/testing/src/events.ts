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
