import { orderedUuid } from '../db/ordered-id';
import type { Sql } from '../db/sql';
import type { NewEvent } from './event';

const COLUMNS = '(`eventId`, `topic`, `eventKey`, `payload`, `occurredAt`, `publishedAt`)';
const CHUNK = 500;

/** An outbox row as written (what the relay needs to publish it without reading it back). */
export interface WrittenEvent {
  eventId: string;
  topic: string;
  eventKey: string;
  /** JSON text. */
  payload: string;
  occurredAt: Date;
}

/** Writes events into the outbox table inside the caller's transaction. */
export class Outbox {
  private readonly heads = new Map<number, string>();

  /**
   * One multi-row INSERT per 500 events (an expiry sweep may write thousands at once); resolves
   * to the rows written, in order.
   */
  async add(sql: Sql, events: NewEvent[]): Promise<WrittenEvent[]> {
    const now = new Date();
    const written: WrittenEvent[] = [];
    for (let i = 0; i < events.length; i += CHUNK) {
      const part = events.slice(i, i + CHUNK);
      const params: unknown[] = [];
      for (const e of part) {
        const row = {
          eventId: orderedUuid(),
          topic: e.topic,
          eventKey: e.key,
          payload: JSON.stringify(e.payload),
          occurredAt: now,
        };
        written.push(row);
        params.push(row.eventId, row.topic, row.eventKey, row.payload, now, null);
      }
      // Nobody waits for its answer: on MySQL it goes with the COMMIT.
      await sql.later(this.head(part.length), params, { oneOff: part.length > 1 });
    }
    return written;
  }

  private head(rows: number): string {
    let text = this.heads.get(rows);
    if (!text) {
      text = `INSERT INTO \`outbox_events\` ${COLUMNS} VALUES ${Array(rows).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`;
      this.heads.set(rows, text);
    }
    return text;
  }
}
