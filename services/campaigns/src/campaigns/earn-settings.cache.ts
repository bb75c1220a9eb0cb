import { IsNull, MoreThan } from 'typeorm';
import { Topics, type EventTransport, type Transactor, type UnitOfWork } from '@loyalty/platform';
import { DEFAULT_RATES, type MerchantRates } from '../rules/earn.rules';
import { EarnRateRow } from '../rates/earn-rate.entity';
import { ValidityChangeRow } from '../terms/validity-change.entity';
import { CampaignRow } from './campaign.entity';

/** What changed the earn settings (the `earn_settings.changed` event's `what`). */
export type EarnSettingKind = 'campaign' | 'earn-rate' | 'validity';

/** Merchants whose rates are kept at most (a busy programme's partners fit; beyond, start over). */
const MAX_MERCHANTS = 10_000;

/** Campaigns and validity changes as read at one moment. */
interface Snapshot {
  generation: number;
  /** Read at (ms): every campaign in force at or after this moment is among `campaigns`. */
  from: number;
  /** Campaigns not ended at `from` (a campaign starting later is among them). */
  campaigns: CampaignRow[];
  /** Every validity change, latest effective (then latest announced) first. */
  validity: ValidityChangeRow[];
  until: number;
}

/**
 * The settings every purchase reads and admins rarely change — campaigns in force, merchants'
 * earn rates, the programme's validity changes — kept in memory instead of three reads per
 * purchase. A change is seen by the next purchase: the mutation forgets the cache when it
 * commits ({@link changed}) and publishes `earn_settings.changed`, on which every replica forgets
 * its own; the TTL bounds staleness if a replica misses the (best-effort) live event. A read
 * that started before a change never fills the cache with what it read (generations).
 * Budgets and usage are not kept here: they are read fresh, under lock, by each award.
 */
export class EarnSettingsCache {
  private generation = 0;
  private snapshot: Snapshot | null = null;
  private loading: Promise<Snapshot> | null = null;
  private readonly rates = new Map<string, { rates: MerchantRates; until: number }>();

  constructor(
    private readonly transactor: Transactor,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Forgets everything (a change committed here or on another replica). */
  invalidate(): void {
    this.generation += 1;
    this.snapshot = null;
    this.loading = null;
    this.rates.clear();
  }

  /**
   * Records a change in the mutation's transaction: the event every replica forgets its cache
   * on. The mutation calls {@link invalidate} itself once committed, so its own replica's next
   * purchase sees the change without waiting for the event.
   */
  async changed(uow: UnitOfWork, what: EarnSettingKind, id: string): Promise<void> {
    await uow.publish({
      topic: Topics.earnSettingsChanged,
      key: what,
      payload: { what, id, changedAt: new Date().toISOString() },
    });
  }

  /** Forgets on every change any replica publishes. */
  listen(transport: EventTransport): Promise<() => Promise<void>> {
    return transport.listen(Topics.earnSettingsChanged, () => this.invalidate());
  }

  private async current(): Promise<Snapshot> {
    const s = this.snapshot;
    if (s && s.until > this.now()) return s;
    if (this.loading) return this.loading;
    const generation = this.generation;
    const from = this.now();
    const loading = this.transactor
      .read(async (m) => ({
        campaigns: await m.find(CampaignRow, {
          where: [{ endsAt: IsNull() }, { endsAt: MoreThan(new Date(from)) }],
        }),
        validity: await m.find(ValidityChangeRow, { order: { effectiveAt: 'DESC', announcedAt: 'DESC' } }),
      }))
      .then((read) => {
        const snapshot = { ...read, generation, from, until: from + this.ttlMs };
        if (this.generation === generation) this.snapshot = snapshot;
        return snapshot;
      })
      .finally(() => {
        if (this.loading === loading) this.loading = null;
      });
    this.loading = loading;
    return loading;
  }

  /** Campaigns whose window contains `at`; null when `at` is before what is kept (read the database). */
  async campaignsInForce(at: Date): Promise<CampaignRow[] | null> {
    const s = await this.current();
    const t = at.getTime();
    if (t < s.from) return null;
    return s.campaigns.filter(
      (c) => c.startsAt.getTime() <= t && (c.endsAt === null || c.endsAt.getTime() > t),
    );
  }

  /** The validity change in effect at `at`, if any (null: the configured validity). */
  async validityAt(at: Date): Promise<string | null> {
    const s = await this.current();
    const t = at.getTime();
    return s.validity.find((v) => v.effectiveAt.getTime() <= t)?.validity ?? null;
  }

  /** A merchant's rates, or the platform default. */
  async ratesFor(merchantId: string): Promise<MerchantRates> {
    const kept = this.rates.get(merchantId);
    if (kept && kept.until > this.now()) return kept.rates;
    const generation = this.generation;
    const row = await this.transactor.read((m) => m.findOneBy(EarnRateRow, { merchantId }));
    const rates = row
      ? {
          regular: { points: row.points, per: row.per },
          green: { points: row.greenPoints, per: row.greenPer },
        }
      : DEFAULT_RATES;
    if (this.generation === generation) {
      if (this.rates.size >= MAX_MERCHANTS) this.rates.clear();
      this.rates.set(merchantId, { rates, until: this.now() + this.ttlMs });
    }
    return rates;
  }
}
