import { In, IsNull } from 'typeorm';
import type { Logger } from 'pino';
import type { Database } from '../db/data-source';
import type { Transactor } from '../db/transactor';
import { requestScope } from '../http/request-scope';
import type { EventEnvelope } from './event';
import { OutboxEventRow } from './outbox.entity';
import type { EventTransport } from './transport';

export interface RelayOptions {
  source: string;
  pollIntervalMs: number;
  batchSize?: number;
}

/**
 * Moves committed outbox rows to the transport, in order, and marks them published. If the
 * process dies between publishing and marking, the rows go out again after restart: delivery is
 * at least once, and consumers de-duplicate by event id.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly transactor: Transactor,
    private readonly transport: EventTransport,
    private readonly logger: Logger,
    private readonly options: RelayOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.transactor.onCommittedEvents(() => this.nudge());
    const tick = () => {
      if (this.stopped) return;
      this.nudge();
      this.timer = setTimeout(tick, this.options.pollIntervalMs);
      this.timer.unref();
    };
    tick();
  }

  /** Drain now (coalesces with a drain already running). */
  nudge(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    // Nudged from a request's commit, but the drain is background work: not the request's SQL.
    this.draining = requestScope
      .exit(() => this.drainUntilEmpty())
      .catch((err) => this.logger.warn({ err }, 'outbox relay failed; will retry'))
      .finally(() => {
        this.draining = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.nudge();
        }
      });
  }

  /** Publishes everything pending; resolves when the outbox is empty (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
    await this.drainUntilEmpty();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.draining) await this.draining;
  }

  private async drainUntilEmpty(): Promise<void> {
    const batch = this.options.batchSize ?? 200;
    while (!this.stopped || this.draining) {
      const n = await this.drainBatch(batch);
      if (n < batch) return;
    }
  }

  private toEnvelope(row: OutboxEventRow): EventEnvelope {
    return {
      id: row.eventId,
      topic: row.topic,
      key: row.eventKey,
      payload: JSON.parse(row.payload) as Record<string, unknown>,
      occurredAt: row.occurredAt.toISOString(),
      source: this.options.source,
    };
  }

  private async drainBatch(limit: number): Promise<number> {
    if (this.db.kind === 'mysql') {
      // Replicas share the outbox: SKIP LOCKED lets each take different rows.
      return this.transactor.run(async ({ manager }) => {
        const rows = await manager
          .createQueryBuilder(OutboxEventRow, 'o')
          .where('o.publishedAt IS NULL')
          .orderBy('o.position', 'ASC')
          .limit(limit)
          .setLock('pessimistic_write')
          .setOnLocked('skip_locked')
          .getMany();
        if (rows.length === 0) return 0;
        await this.transport.publish(rows.map((r) => this.toEnvelope(r)));
        await manager.update(
          OutboxEventRow,
          { position: In(rows.map((r) => r.position)) },
          { publishedAt: new Date() },
        );
        return rows.length;
      });
    }
    // SQLite: read and mark under the transactor's lock, but publish outside it, since
    // in-process consumers of this same database need the lock to commit their own work.
    const rows = await this.transactor.read((m) =>
      m.find(OutboxEventRow, { where: { publishedAt: IsNull() }, order: { position: 'ASC' }, take: limit }),
    );
    if (rows.length === 0) return 0;
    await this.transport.publish(rows.map((r) => this.toEnvelope(r)));
    await this.transactor.run(({ manager }) =>
      manager.update(
        OutboxEventRow,
        { position: In(rows.map((r) => r.position)) },
        { publishedAt: new Date() },
      ),
    );
    return rows.length;
  }
}
