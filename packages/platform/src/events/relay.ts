import { IsNull, type QueryRunner } from 'typeorm';
import type { Logger } from 'pino';
import type { Database } from '../db/data-source';
import type { Transactor } from '../db/transactor';
import { BackgroundLoop } from '../service/background-loop';
import { sqlOnConnection, type Sql } from '../db/sql';
import type { EventEnvelope } from './event';
import { OutboxEventRow } from './outbox.entity';
import type { EventTransport } from './transport';

export interface RelayOptions {
  source: string;
  pollIntervalMs: number;
  batchSize?: number;
  /**
   * While events keep coming, drains start at least this far apart (default 10 ms), and at
   * least twice the last drain's duration apart (at most 100 ms): the relay's claim, mark and
   * commit then carry many writers' events and take at most a third of the database's time,
   * instead of every writer's commit paying one of the relay's. An idle relay drains at once
   * when nudged.
   */
  coalesceMs?: number;
}

const MAX_COALESCE_MS = 100;

const CLAIMED = '`position`, `eventId`, `topic`, `eventKey`, `payload`, `occurredAt`';

type Claimed = Pick<OutboxEventRow, 'position' | 'eventId' | 'topic' | 'eventKey' | 'payload' | 'occurredAt'>;

const markPublished = (count: number) =>
  `UPDATE \`outbox_events\` SET \`publishedAt\` = ? WHERE \`position\` IN (${Array(count).fill('?').join(', ')})`;

/**
 * Moves committed outbox rows to the transport, in order, and marks them published. If the
 * process dies between publishing and marking, the rows go out again after restart: delivery is
 * at least once, and consumers de-duplicate by event id.
 *
 * On MySQL the relay keeps one connection of its own, set to READ COMMITTED once (no gap locks
 * on the unpublished-rows index, so writers' outbox inserts never wait for a publish in flight),
 * and a drain is claim (`FOR UPDATE SKIP LOCKED`, so replicas take different rows), mark,
 * commit. It polls again only when a batch came back full or events were committed since its
 * claim, never just to find the outbox empty.
 */
export class OutboxRelay {
  private readonly loop: BackgroundLoop;
  private stopped = false;
  /** Bumped by every commit that wrote events; a drain polls again only if it moved. */
  private generation = 0;
  private draining = false;
  private lastDrainAt = 0;
  private lastDrainMs = 0;
  private session: { runner: QueryRunner; sql: Sql } | null = null;

  constructor(
    private readonly db: Database,
    private readonly transactor: Transactor,
    private readonly transport: EventTransport,
    logger: Logger,
    private readonly options: RelayOptions,
  ) {
    this.loop = new BackgroundLoop({
      name: 'outbox relay',
      intervalMs: options.pollIntervalMs,
      logger,
      run: () => this.drainUntilEmpty(),
    });
  }

  start(): void {
    this.stopped = false;
    this.transactor.onCommittedEvents(() => {
      this.generation += 1;
      // A drain in progress sees the bump and polls again itself; a nudge would add a pass.
      if (!this.draining) this.loop.nudge();
    });
    this.loop.start();
  }

  /** Drain now (coalesces with a drain already running). */
  nudge(): void {
    this.generation += 1;
    this.loop.nudge();
  }

  /** Publishes everything pending; resolves when the outbox is empty (tests, shutdown). */
  async flush(): Promise<void> {
    await this.loop.idle();
    this.generation += 1;
    await this.drainUntilEmpty();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.stop();
    await this.closeSession();
  }

  private async drainUntilEmpty(): Promise<void> {
    const batch = this.options.batchSize ?? 200;
    const coalesceMs = this.options.coalesceMs ?? 10;
    this.draining = true;
    try {
      while (!this.stopped) {
        const gap = Math.max(coalesceMs, Math.min(2 * this.lastDrainMs, MAX_COALESCE_MS));
        const wait = this.lastDrainAt + gap - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const seen = this.generation;
        this.lastDrainAt = Date.now();
        const n = await this.drainBatch(batch);
        this.lastDrainMs = Date.now() - this.lastDrainAt;
        if (n === 0) this.lastDrainAt = 0;
        if (n < batch && this.generation === seen) {
          // Cleared in the same tick as the check: a commit after it nudges a new pass.
          this.draining = false;
          return;
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private toEnvelope(row: Claimed): EventEnvelope {
    // The row was written from a typed NewEvent (Transactor.publish), so topic and payload match.
    return {
      id: row.eventId,
      topic: row.topic,
      key: row.eventKey,
      payload: JSON.parse(row.payload) as unknown,
      occurredAt: new Date(row.occurredAt).toISOString(),
      source: this.options.source,
    } as EventEnvelope;
  }

  private async openSession(): Promise<Sql> {
    if (this.session) return this.session.sql;
    const runner = this.db.dataSource.createQueryRunner('master');
    try {
      const sql = sqlOnConnection(this.db, await runner.connect());
      await sql.control('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      this.session = { runner, sql };
      return sql;
    } catch (error) {
      await runner.release();
      throw error;
    }
  }

  private async closeSession(): Promise<void> {
    const session = this.session;
    this.session = null;
    if (session) await session.runner.release().catch(() => undefined);
  }

  private async drainBatch(limit: number): Promise<number> {
    if (this.db.kind === 'mysql') {
      const sql = await this.openSession();
      try {
        await sql.control('START TRANSACTION');
        const rows = await sql.rows<Claimed>(
          `SELECT ${CLAIMED} FROM \`outbox_events\` WHERE \`publishedAt\` IS NULL ORDER BY \`position\` LIMIT ${Math.trunc(limit)} FOR UPDATE SKIP LOCKED`,
        );
        if (rows.length > 0) {
          await this.transport.publish(rows.map((r) => this.toEnvelope(r)));
          await sql.run(markPublished(rows.length), [new Date(), ...rows.map((r) => r.position)], {
            oneOff: true,
          });
        }
        await sql.control('COMMIT');
        return rows.length;
      } catch (error) {
        // The connection's state is unknown: drop it; the next drain opens a new one.
        await sql.control('ROLLBACK').catch(() => undefined);
        await this.closeSession();
        throw error;
      }
    }
    // SQLite: read and mark under the transactor's lock, but publish outside it, since
    // in-process consumers of this same database need the lock to commit their own work.
    const rows = await this.transactor.read((m) =>
      m.find(OutboxEventRow, { where: { publishedAt: IsNull() }, order: { position: 'ASC' }, take: limit }),
    );
    if (rows.length === 0) return 0;
    await this.transport.publish(rows.map((r) => this.toEnvelope(r)));
    await this.transactor.run(({ sql }) =>
      sql.run(markPublished(rows.length), [new Date(), ...rows.map((r) => r.position)], { oneOff: true }),
    );
    return rows.length;
  }
}
