import { randomUUID } from 'node:crypto';
import { In, LessThanOrEqual, type EntityManager } from 'typeorm';
import type { ServiceRuntime } from '@loyalty/platform';

type Logger = ServiceRuntime['logger'];
import { BackgroundLoop, retryDelayMs, type Transactor } from '@loyalty/platform';
import type { LedgerPort } from './ledger.port';
import { PostingRow, type PostingOperation } from './posting.entity';

export interface NewPosting {
  idempotencyKey: string;
  operation: PostingOperation;
  memberId: string;
  kind: string;
  points: number;
  reason: string;
  merchantId: string | null;
  campaignId: string | null;
  sourceType: string;
  sourceId: string;
  validity: string | null;
  expiresAt: Date | null;
}

export interface PosterOptions {
  /** How often due postings are looked for. */
  intervalMs: number;
  /** Longest wait between two attempts of one posting. */
  maxBackoffMs: number;
  batchSize?: number;
}

/**
 * Sends owed ledger postings (written in the business transaction) to the ledger, with their
 * deterministic idempotency keys, until the ledger has them. A posting is tried at once after its
 * transaction commits; failures are retried with backoff by a background loop, and one success
 * makes every waiting posting due again (the ledger is back). Several replicas may post the same
 * row at once: the ledger's idempotency makes that harmless. Reversals of a purchase wait until
 * the purchase's credits are posted, so the ledger never reverses points it has not credited.
 */
export class LedgerPoster {
  private readonly loop: BackgroundLoop;
  private stopped = true;

  constructor(
    private readonly transactor: Transactor,
    private readonly ledger: LedgerPort,
    private readonly logger: Logger,
    private readonly options: PosterOptions,
  ) {
    this.loop = new BackgroundLoop({
      name: 'ledger poster',
      intervalMs: options.intervalMs,
      logger,
      run: () => this.drain(),
    });
  }

  /** Writes postings inside the caller's transaction (status PENDING, due now). */
  static async add(manager: EntityManager, postings: NewPosting[]): Promise<PostingRow[]> {
    const now = new Date();
    const rows = postings.map((p) =>
      manager.create(PostingRow, {
        ...p,
        id: randomUUID(),
        status: 'PENDING',
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        ledgerEntryId: null,
        reversed: null,
        shortfall: null,
        createdAt: now,
        postedAt: null,
      }),
    );
    // Insert copies: TypeORM merges reloaded default columns back into multi-row inserts by
    // position, which can swap the ids of the objects passed in (and link awards to the wrong posting).
    if (rows.length)
      await manager.insert(
        PostingRow,
        rows.map((r) => ({ ...r })),
      );
    return rows;
  }

  start(): void {
    this.stopped = false;
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.stop();
  }

  /** Look for due postings now (coalesces with a drain already running). */
  nudge(): void {
    this.loop.nudge();
  }

  /** Tries these postings once each, now (after the transaction that wrote them committed). */
  async postNow(ids: string[]): Promise<void> {
    if (!ids.length) return;
    const rows = await this.transactor.read((m) =>
      m.find(PostingRow, { where: { id: In(ids) }, order: { createdAt: 'ASC' } }),
    );
    // Credits first: a reversal waits for the credits of its purchase.
    rows.sort((a, b) => (a.operation === b.operation ? 0 : a.operation === 'CREDIT' ? -1 : 1));
    for (const row of rows) {
      if (row.status === 'PENDING') await this.attempt(row);
    }
  }

  /** Posts every due posting (one pass over batches). */
  async drain(): Promise<void> {
    const batch = this.options.batchSize ?? 100;
    for (let round = 0; round < 50; round++) {
      const due = await this.transactor.read((m) =>
        m.find(PostingRow, {
          where: { status: 'PENDING', nextAttemptAt: LessThanOrEqual(new Date()) },
          order: { createdAt: 'ASC', id: 'ASC' },
          take: batch,
        }),
      );
      if (!due.length) return;
      let progressed = false;
      for (const row of due) {
        if (this.stopped) return;
        if (await this.attempt(row)) progressed = true;
      }
      if (!progressed || due.length < batch) return;
    }
  }

  /** Number of postings the ledger does not have yet. */
  async pendingCount(): Promise<number> {
    return this.transactor.read((m) => m.count(PostingRow, { where: { status: 'PENDING' } }));
  }

  private async creditsPending(row: PostingRow): Promise<boolean> {
    return this.transactor.read((m) =>
      m.exists(PostingRow, {
        where: { sourceType: row.sourceType, sourceId: row.sourceId, operation: 'CREDIT', status: 'PENDING' },
      }),
    );
  }

  /** One attempt; true when the posting is now in the ledger. */
  private async attempt(row: PostingRow): Promise<boolean> {
    try {
      if (row.operation === 'REVERSE' && (await this.creditsPending(row))) {
        await this.deferred(row, 'waiting for the purchase credits to be posted', false);
        return false;
      }
      const now = new Date();
      if (row.operation === 'CREDIT') {
        const result = await this.ledger.credit(
          {
            idempotencyKey: row.idempotencyKey,
            memberId: row.memberId,
            kind: row.kind,
            points: row.points,
            reason: row.reason,
            merchantId: row.merchantId,
            campaignId: row.campaignId,
            sourceType: row.sourceType,
            sourceId: row.sourceId,
            validity: row.validity,
          },
          { retries: 0 },
        );
        await this.posted(row, { ledgerEntryId: result.entryId, expiresAt: result.expiresAt, postedAt: now });
      } else {
        const result = await this.ledger.reverse(
          {
            idempotencyKey: row.idempotencyKey,
            memberId: row.memberId,
            kind: row.kind,
            points: row.points,
            reason: row.reason,
            sourceType: row.sourceType,
            sourceId: row.sourceId,
            merchantId: row.merchantId,
          },
          { retries: 0 },
        );
        await this.posted(row, {
          ledgerEntryId: result.entryId,
          reversed: result.reversed,
          shortfall: result.shortfall,
          postedAt: now,
        });
      }
      return true;
    } catch (error) {
      this.logger.warn({ err: error, key: row.idempotencyKey }, 'ledger posting failed; will retry');
      await this.deferred(row, (error as Error).message ?? String(error), true).catch(() => undefined);
      return false;
    }
  }

  private async posted(row: PostingRow, changes: Partial<PostingRow>): Promise<void> {
    const wasFailing = row.attempts > 0;
    await this.transactor.run(({ manager }) =>
      manager.update(
        PostingRow,
        { id: row.id, status: 'PENDING' },
        { ...changes, status: 'POSTED', lastError: null },
      ),
    );
    Object.assign(row, changes, { status: 'POSTED', lastError: null });
    if (wasFailing) {
      // The ledger answers again: everything that waited for it is due now.
      await this.transactor.run(({ manager }) =>
        manager.update(PostingRow, { status: 'PENDING' }, { nextAttemptAt: new Date() }),
      );
      this.nudge();
    }
  }

  private async deferred(row: PostingRow, message: string, failed: boolean): Promise<void> {
    const attempts = row.attempts + (failed ? 1 : 0);
    const wait = retryDelayMs(attempts, this.options.intervalMs, this.options.maxBackoffMs);
    const nextAttemptAt = new Date(Date.now() + wait);
    await this.transactor.run(({ manager }) =>
      manager.update(
        PostingRow,
        { id: row.id, status: 'PENDING' },
        { attempts, nextAttemptAt, lastError: message.slice(0, 500) },
      ),
    );
    Object.assign(row, { attempts, nextAttemptAt });
  }
}
