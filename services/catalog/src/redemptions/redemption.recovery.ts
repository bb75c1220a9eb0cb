import { BackgroundLoop, type ServiceRuntime } from '@loyalty/platform';
import { isDefinite } from '../peers/ledger.client';
import type { RedemptionRow } from './redemption.entity';
import type { RedemptionQueries } from './redemption.queries';
import type { RedemptionService } from './redemption.service';
import type { RedemptionSettlement } from './redemption.settlement';
import { RedemptionStatus } from './redemption.state';

/** The actor the trail names for steps the sweeper finished. */
const RECOVERY = 'system:recovery';

export interface SweepResult {
  examined: number;
  recovered: number;
  failed: number;
}

/**
 * Finds redemptions a crash or an outage left between saga steps and finishes them: PENDING ones
 * are resumed (the ledger replays the hold; a refusal cancels), cancelled ones get their points
 * and compensation back. Runs every `intervalMs` while the service is up, and once at start.
 */
export class RedemptionRecovery {
  private readonly loop: BackgroundLoop;
  private running: Promise<SweepResult> | null = null;

  constructor(
    private readonly saga: RedemptionService,
    private readonly settlement: RedemptionSettlement,
    private readonly queries: RedemptionQueries,
    private readonly logger: ServiceRuntime['logger'],
    intervalMs: number,
    private readonly staleAfterMs: number,
  ) {
    this.loop = new BackgroundLoop({
      name: 'redemption recovery',
      intervalMs,
      logger,
      run: () => this.sweep(),
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.running?.catch(() => undefined);
  }

  /** One pass, after any pass already running. `staleAfterMs: 0` takes everything open now (tests). */
  async sweep(options: { staleAfterMs?: number } = {}): Promise<SweepResult> {
    while (this.running) await this.running.catch(() => undefined);
    const pass = this.pass(options.staleAfterMs ?? this.staleAfterMs);
    this.running = pass;
    try {
      return await pass;
    } finally {
      this.running = null;
    }
  }

  private async pass(staleAfterMs: number): Promise<SweepResult> {
    const stuck = await this.queries.stuck(new Date(Date.now() - staleAfterMs));
    let recovered = 0;
    let failed = 0;
    for (const row of stuck) {
      try {
        await this.recover(row);
        recovered += 1;
      } catch (err) {
        failed += 1;
        this.logger.warn({ redemptionId: row.id, status: row.status, err }, 'redemption not recovered yet');
      }
    }
    if (stuck.length)
      this.logger.info({ examined: stuck.length, recovered, failed }, 'redemption recovery sweep');
    return { examined: stuck.length, recovered, failed };
  }

  /** Resumes (PENDING) or settles (cancelled) one stuck redemption. */
  async recover(row: RedemptionRow): Promise<void> {
    const fresh = await this.queries.require(row.id);
    if (fresh.status !== RedemptionStatus.PENDING) return this.settlement.settle(fresh);
    try {
      await this.saga.advance(fresh, RECOVERY);
    } catch (error) {
      if (!isDefinite(error)) throw error; // a definite refusal has cancelled it: recovered
    }
  }
}
