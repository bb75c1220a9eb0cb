import type { ServiceRuntime, Transactor } from '@loyalty/platform';
import { BackgroundLoop } from '@loyalty/platform';
import { HoldRow, HoldStatus } from '../holds/hold.entity';
import type { HoldService } from '../holds/hold.service';
import { systemClock, type Clock } from '../ledger/posting';
import { ExpiryService } from './expiry.service';
import type { Lead } from './expiry.rules';
import { WarningService } from './warning.service';

type Logger = ServiceRuntime['logger'];

export interface SweepResult {
  expiredLots: number;
  warnings: number;
  timedOutHolds: number;
}

export interface SweeperOptions {
  leads: Lead[];
  intervalMs: number;
  /** Members whose due lots one transaction writes off. */
  memberBatch?: number;
  /** Lots one warning transaction considers. */
  warningBatch?: number;
  /** The time a sweep runs at; defaults to the system clock. */
  clock?: Clock;
}

/**
 * The background job: every EXPIRY_SWEEP_INTERVAL it times out holds, writes off expired lots
 * ({@link ExpiryService}) and sends expiry warnings ({@link WarningService}). Safe with several
 * replicas: on MySQL members are claimed with `FOR UPDATE SKIP LOCKED`, so two sweepers split the
 * work instead of doing it twice; warnings are unique per (lot, lead, expiry), so a race ends in a
 * rollback, not a duplicate.
 */
export class ExpirySweeper {
  private readonly loop: BackgroundLoop;
  private readonly expiry: ExpiryService;
  private readonly warnings: WarningService;

  constructor(
    private readonly transactor: Transactor,
    private readonly holds: HoldService,
    private readonly logger: Logger,
    private readonly options: SweeperOptions,
  ) {
    this.expiry = new ExpiryService(transactor, options.memberBatch);
    this.warnings = new WarningService(transactor, logger, options.leads, options.warningBatch);
    this.loop = new BackgroundLoop({
      name: 'expiry sweep',
      intervalMs: options.intervalMs,
      logger,
      runAtStart: false,
      run: () => this.tick(),
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One full sweep at `now`. */
  async tick(now: Date = (this.options.clock ?? systemClock)()): Promise<SweepResult> {
    const timedOutHolds = await this.timeoutHolds(now);
    const expiredLots = await this.expireDue(now);
    const warnings = await this.warn(now);
    if (expiredLots || warnings || timedOutHolds)
      this.logger.info({ expiredLots, warnings, timedOutHolds }, 'expiry sweep');
    return { expiredLots, warnings, timedOutHolds };
  }

  /** Writes off every lot due at `now`, a batch of members per transaction. */
  expireDue(now: Date): Promise<number> {
    return this.expiry.expireDue(now);
  }

  /** Warnings for every lead, once per (lot, lead, expiry). */
  warn(now: Date): Promise<number> {
    return this.warnings.warn(now);
  }

  /** Releases holds whose time is up (status EXPIRED, a RELEASE entry). */
  async timeoutHolds(now: Date): Promise<number> {
    const ids = await this.transactor.read((m) =>
      m
        .createQueryBuilder(HoldRow, 'h')
        .select('h.id', 'id')
        .where('h.status = :status AND h.expiresAt <= :now', { status: HoldStatus.HELD, now })
        .limit(500)
        .getRawMany<{ id: string }>(),
    );
    let n = 0;
    for (const { id } of ids) if (await this.holds.timeoutHold(id, now)) n += 1;
    return n;
  }
}
