import { IsNull, LessThan, type QueryRunner } from 'typeorm';
import type { Logger } from 'pino';
import type { Database } from '../db/data-source';
import type { Transactor } from '../db/transactor';
import { BackgroundLoop } from '../service/background-loop';
import { sqlOnConnection, type Sql } from '../db/sql';
import type { EventEnvelope } from './event';
import type { WrittenEvent } from './outbox';
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
  /**
   * How long rows the fast path published may wait to be marked (default 250 ms, at most half
   * the poll interval): their marks are written together, in one autocommit UPDATE, so a lone
   * writer's commits are not each followed by a second, durable commit of the relay's.
   */
  markDelayMs?: number;
}

const MAX_COALESCE_MS = 100;

const CLAIMED = '`position`, `eventId`, `topic`, `eventKey`, `payload`, `occurredAt`';

type Claimed = Pick<OutboxEventRow, 'position' | 'eventId' | 'topic' | 'eventKey' | 'payload' | 'occurredAt'>;

const markPublished = (count: number) =>
  `UPDATE \`outbox_events\` SET \`publishedAt\` = ? WHERE \`position\` IN (${Array(count).fill('?').join(', ')})`;

/** Published by the fast path, marked by event id (the unique key) in one statement. */
const markByEventId = (count: number) =>
  `UPDATE \`outbox_events\` SET \`publishedAt\` = ? WHERE \`eventId\` IN (${Array(count).fill('?').join(', ')})`;

/**
 * Moves committed outbox rows to the transport, in order, and marks them published. If the
 * process dies between publishing and marking, the rows go out again after restart: delivery is
 * at least once, and consumers de-duplicate by event id.
 *
 * Two paths:
 * - **fast** (the usual one): the Transactor hands over the rows each commit wrote through
 *   `publish`; the relay publishes them from memory, in commit order, and marks them in one
 *   autocommit UPDATE by event id: one round trip per drain, no claim, no empty re-poll;
 * - **poll**: rows the relay was not handed (written in SQL by `INSERT … SELECT`, left by a
 *   crash or another replica) are claimed from the table: on MySQL on the relay's own
 *   connection, set to READ COMMITTED once (no gap locks on the unpublished-rows index, so
 *   writers' outbox inserts never wait for a publish in flight), claim (`FOR UPDATE SKIP
 *   LOCKED`, so replicas take different rows), mark, commit. It runs at start, after
 *   `eventsCommitted()`, `nudge()` and `flush()`, and again only while batches come back full;
 *   and once per poll interval for rows older than an interval (younger ones are another
 *   replica's fast path's to publish). Handed-over rows it publishes are dropped from the fast
 *   path; one the fast path publishes while the poll has claimed it goes out twice (at least
 *   once, as after a crash).
 */
export class OutboxRelay {
  private readonly loop: BackgroundLoop;
  private stopped = false;
  private draining = false;
  private lastDrainAt = 0;
  private lastDrainMs = 0;
  /** Rows handed over by commits, not yet published, in commit order. */
  private fast: WrittenEvent[] = [];
  /** Published by the fast path, not yet marked (oldest first); see `markDelayMs`. */
  private unmarked: string[] = [];
  private unmarkedSince = 0;
  private markTimer: NodeJS.Timeout | null = null;
  /** Set when rows may be in the table that were not handed over. */
  private pollDue = true;
  private lastPollAt = 0;
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
    this.pollDue = true;
    this.transactor.onCommittedEvents((written) => {
      if (written) for (const row of written) this.fast.push(row);
      else this.pollDue = true;
      // A drain in progress sees the new work itself; a nudge would add a pass.
      if (!this.draining) this.loop.nudge();
    });
    this.loop.start();
  }

  /** Drain now, polling the table (coalesces with a drain already running). */
  nudge(): void {
    this.pollDue = true;
    this.loop.nudge();
  }

  /**
   * Publishes everything pending; resolves when the outbox is empty (tests, shutdown). In the
   * loop's turn: a pass of the loop's own (a commit's nudge, a mark's timer) never polls beside it.
   */
  async flush(): Promise<void> {
    await this.loop.runExclusive(() => {
      this.pollDue = true;
      return this.drainUntilEmpty();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.markTimer) clearTimeout(this.markTimer);
    this.markTimer = null;
    await this.loop.stop();
    // Best effort: rows left unmarked are published again after restart (at least once).
    await this.markPublished().catch(() => undefined);
    await this.closeSession();
  }

  private async drainUntilEmpty(): Promise<void> {
    const batch = this.options.batchSize ?? 200;
    const coalesceMs = this.options.coalesceMs ?? 10;
    this.draining = true;
    try {
      while (!this.stopped) {
        const interval = this.options.pollIntervalMs;
        const periodic = Date.now() - this.lastPollAt >= 0.9 * interval;
        if (!this.pollDue && !periodic && this.fast.length === 0) {
          if (this.unmarked.length > 0) {
            const due = this.unmarkedSince + this.markDelayMs() - Date.now();
            if (due <= 0) {
              await this.markPublished();
              // A commit during the mark saw a drain running and did not nudge: check again.
              continue;
            }
            this.markSoon(due);
          }
          // Cleared in the same tick as the check: a commit after it nudges a new pass.
          this.draining = false;
          return;
        }
        const gap = Math.max(coalesceMs, Math.min(2 * this.lastDrainMs, MAX_COALESCE_MS));
        const wait = this.lastDrainAt + gap - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        this.lastDrainAt = Date.now();
        if (this.pollDue || periodic) {
          // A periodic poll leaves rows younger than an interval to the fast path of the
          // replica that wrote them (it would otherwise publish them a second time).
          const olderThan = this.pollDue ? null : new Date(this.lastDrainAt - interval);
          // Rows published but not marked would be claimed and published again.
          await this.markPublished();
          this.pollDue = false;
          this.lastPollAt = this.lastDrainAt;
          const n = await this.drainPolled(batch, olderThan);
          // A full batch: more may be waiting.
          if (n === batch) this.pollDue = true;
        } else {
          await this.drainFast(batch);
        }
        this.lastDrainMs = Date.now() - this.lastDrainAt;
      }
    } finally {
      this.draining = false;
    }
  }

  /** A pass once the oldest waiting mark is due, should no commit start one before. */
  private markSoon(delayMs: number): void {
    if (this.markTimer) return;
    this.markTimer = setTimeout(() => {
      this.markTimer = null;
      if (!this.stopped) this.loop.nudge();
    }, delayMs);
    this.markTimer.unref();
  }

  private markDelayMs(): number {
    return Math.min(this.options.markDelayMs ?? 250, this.options.pollIntervalMs / 2);
  }

  /** Publishes handed-over rows from memory; their marks wait (see `markDelayMs`). */
  private async drainFast(limit: number): Promise<void> {
    const rows = this.fast.splice(0, limit);
    if (rows.length === 0) return;
    try {
      await this.transport.publish(rows.map((r) => this.toEnvelope(r)));
    } catch (error) {
      // Still unpublished in the table: the poll takes them, in order, on the next pass.
      this.fast = [];
      this.pollDue = true;
      throw error;
    }
    if (this.unmarked.length === 0) this.unmarkedSince = Date.now();
    for (const row of rows) this.unmarked.push(row.eventId);
    if (this.unmarked.length >= limit || Date.now() - this.unmarkedSince >= this.markDelayMs())
      await this.markPublished();
  }

  /** Marks what the fast path published, in one autocommit UPDATE by event id. */
  private async markPublished(): Promise<void> {
    const ids = this.unmarked;
    if (ids.length === 0) return;
    this.unmarked = [];
    const params = [new Date(), ...ids];
    if (this.db.kind === 'mysql') {
      const sql = await this.openSession();
      try {
        await sql.run(markByEventId(ids.length), params, { oneOff: true });
      } catch (error) {
        await this.closeSession();
        throw error;
      }
      return;
    }
    // SQLite: autocommit, under the transactor's lock (no write transaction is open then).
    await this.transactor.read(() =>
      sqlOnConnection(this.db, null).run(markByEventId(ids.length), params, { oneOff: true }),
    );
  }

  /** Rows the poll published: no longer the fast path's to publish. */
  private dropFromFast(published: readonly { eventId: string }[]): void {
    if (this.fast.length === 0 || published.length === 0) return;
    const ids = new Set(published.map((r) => r.eventId));
    this.fast = this.fast.filter((r) => !ids.has(r.eventId));
  }

  private toEnvelope(row: Claimed | WrittenEvent): EventEnvelope {
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

  /** The poll: claims unpublished rows from the table, publishes and marks them. */
  private async drainPolled(limit: number, olderThan: Date | null): Promise<number> {
    if (this.db.kind === 'mysql') {
      const sql = await this.openSession();
      try {
        await sql.control('START TRANSACTION');
        const rows = await sql.rows<Claimed>(
          `SELECT ${CLAIMED} FROM \`outbox_events\` WHERE \`publishedAt\` IS NULL${olderThan ? ' AND `occurredAt` < ?' : ''} ORDER BY \`position\` LIMIT ${Math.trunc(limit)} FOR UPDATE SKIP LOCKED`,
          olderThan ? [olderThan] : [],
        );
        if (rows.length > 0) {
          await this.transport.publish(rows.map((r) => this.toEnvelope(r)));
          this.dropFromFast(rows);
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
      m.find(OutboxEventRow, {
        where: { publishedAt: IsNull(), ...(olderThan ? { occurredAt: LessThan(olderThan) } : {}) },
        order: { position: 'ASC' },
        take: limit,
      }),
    );
    if (rows.length === 0) return 0;
    await this.transport.publish(rows.map((r) => this.toEnvelope(r)));
    this.dropFromFast(rows);
    await this.transactor.run(({ sql }) =>
      sql.run(markPublished(rows.length), [new Date(), ...rows.map((r) => r.position)], { oneOff: true }),
    );
    return rows.length;
  }
}
