import { In, type EntityManager } from 'typeorm';
import type { Logger, Transactor } from '@loyalty/platform';
import { PartnerApiKeyRow } from './api-key.entity';

/**
 * `lastUsedAt` without a write per request: uses are noted in memory and written in one
 * transaction per flush, at most one row update per key however often it was used meanwhile.
 * Every process already asks members at most once per key per cache TTL, so a few seconds is
 * as precise as the field can be anyway.
 */
export class ApiKeyUsage {
  private pending = new Map<string, Date>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly transactor: Transactor,
    private readonly logger: Logger,
    private readonly flushEveryMs: number,
  ) {}

  note(keyId: string, at: Date): void {
    this.pending.set(keyId, at);
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.flushEveryMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  /** Writes the noted uses; a failed flush keeps them for the next one. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.transactor.run(async ({ manager }) => {
        const rows = await manager.findBy(PartnerApiKeyRow, { id: In([...batch.keys()]) });
        for (const row of rows) await this.touch(manager, row, batch.get(row.id) as Date);
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'could not record API key use; retrying with the next flush');
      for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
    }
  }

  private async touch(manager: EntityManager, row: PartnerApiKeyRow, at: Date): Promise<void> {
    if (row.lastUsedAt && row.lastUsedAt >= at) return;
    await manager.update(PartnerApiKeyRow, { id: row.id }, { lastUsedAt: at });
  }
}
