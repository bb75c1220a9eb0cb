import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { NewEvent } from './event';
import { OutboxEventRow } from './outbox.entity';

/** Writes events into the outbox table inside the caller's transaction. */
export class Outbox {
  async add(manager: EntityManager, events: NewEvent[]): Promise<void> {
    const now = new Date();
    const rows = events.map((e) =>
      manager.create(OutboxEventRow, {
        eventId: randomUUID(),
        topic: e.topic,
        eventKey: e.key,
        payload: JSON.stringify(e.payload),
        occurredAt: now,
        publishedAt: null,
      }),
    );
    // One INSERT for the batch: an expiry sweep may write thousands of events at once.
    for (let i = 0; i < rows.length; i += 500) {
      await manager.insert(OutboxEventRow, rows.slice(i, i + 500));
    }
  }
}
