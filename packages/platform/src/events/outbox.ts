import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/sql';
import type { NewEvent } from './event';

const COLUMNS = '(`eventId`, `topic`, `eventKey`, `payload`, `occurredAt`, `publishedAt`)';
const CHUNK = 500;

/** Writes events into the outbox table inside the caller's transaction. */
export class Outbox {
  private readonly heads = new Map<number, string>();

  /** One multi-row INSERT per 500 events (an expiry sweep may write thousands at once). */
  async add(sql: Sql, events: NewEvent[]): Promise<void> {
    const now = new Date();
    for (let i = 0; i < events.length; i += CHUNK) {
      const part = events.slice(i, i + CHUNK);
      const params: unknown[] = [];
      for (const e of part) params.push(randomUUID(), e.topic, e.key, JSON.stringify(e.payload), now, null);
      await sql.run(this.head(part.length), params, { oneOff: part.length > 1 });
    }
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
