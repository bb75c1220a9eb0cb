import { In } from 'typeorm';
import {
  alignToKeys,
  EntityReader,
  NotFoundError,
  type LeanCondition,
  type Transactor,
} from '@loyalty/platform';
import { tierRank, TIERS } from './eligibility.rules';
import { PriceRuleRow } from './price-rule.entity';
import { RewardAudienceRow } from './reward-audience.entity';
import { RewardRow } from './reward.entity';
import type { RewardKind } from './reward.type';

export interface RewardListFilter {
  merchantId?: string | null;
  kind?: RewardKind | null;
  /** Admins and owning partners may list delisted rewards too. */
  includeInactive?: boolean;
  /** Personal rewards are listed only where the audience has been checked. */
  includePersonal?: boolean;
}

/** Reads of rewards, prices and audiences; the batch ones back the request's DataLoaders. */
export class RewardQueries {
  private readonly rows: EntityReader<RewardRow>;
  private readonly rules: EntityReader<PriceRuleRow>;

  constructor(private readonly transactor: Transactor) {
    this.rows = new EntityReader(transactor, RewardRow);
    this.rules = new EntityReader(transactor, PriceRuleRow);
  }

  find(id: string): Promise<RewardRow | null> {
    return this.transactor.read((m) => m.findOneBy(RewardRow, { id }));
  }

  async require(id: string): Promise<RewardRow> {
    const reward = await this.find(id);
    if (!reward) throw new NotFoundError('Reward', id);
    return reward;
  }

  /** One page, by id; `first + 1` rows so the caller knows whether more exist. */
  async list(first: number, afterId: string | null, filter: RewardListFilter = {}): Promise<RewardRow[]> {
    // A lean read: the catalog page of every member's dashboard.
    const where: LeanCondition<RewardRow>[] = [];
    if (afterId) where.push(['id', '>', afterId]);
    if (!filter.includeInactive) where.push(['active', '=', true]);
    if (!filter.includePersonal) where.push(['personal', '=', false]);
    if (filter.merchantId) where.push(['merchantId', '=', filter.merchantId]);
    if (filter.kind) where.push(['kind', '=', filter.kind]);
    return this.rows.where({ where, order: [['id', 'ASC']], limit: first + 1 });
  }

  /**
   * Active rewards in stock that a member of `tier` may redeem: public ones and personal ones
   * offered to them (per-member limits are left to the caller).
   */
  async listVisibleTo(
    memberId: string,
    tier: string,
    limit: number,
    merchantId: string | null,
  ): Promise<RewardRow[]> {
    const tiers = TIERS.slice(0, tierRank(tier) + 1);
    return this.transactor.read((m) => {
      const qb = m
        .createQueryBuilder(RewardRow, 'r')
        .leftJoin(RewardAudienceRow, 'a', 'a.rewardId = r.id AND a.memberId = :memberId', { memberId })
        .where('r.active = :active', { active: true })
        .andWhere('(r.personal = :no OR a.memberId IS NOT NULL)', { no: false })
        .andWhere('(r.minTier IS NULL OR r.minTier IN (:...tiers))', { tiers })
        .andWhere('(r.stock IS NULL OR r.stock > 0)')
        .orderBy('r.id', 'ASC')
        .take(limit);
      if (merchantId) qb.andWhere('r.merchantId = :merchantId', { merchantId });
      return qb.getMany();
    });
  }

  // Batch lookups for DataLoaders: one query for any number of keys.

  async byIds(ids: readonly string[]): Promise<(RewardRow | null)[]> {
    return alignToKeys(ids, await this.rows.whereIn('id', ids), (r) => r.id);
  }

  /** Price rules not yet over, per reward. */
  async currentRules(rewardIds: readonly string[]): Promise<PriceRuleRow[][]> {
    const rows = await this.rules.whereIn('rewardId', rewardIds, {
      where: [['endsAt', '>', new Date()]],
      order: [['startsAt', 'ASC']],
    });
    return rewardIds.map((id) => rows.filter((r) => r.rewardId === id));
  }

  /** Whether each (rewardId, memberId) pair is in the reward's audience. */
  async chosen(pairs: readonly { rewardId: string; memberId: string }[]): Promise<boolean[]> {
    const rows = await this.transactor.read((m) =>
      m.findBy(RewardAudienceRow, {
        rewardId: In(pairs.map((p) => p.rewardId)),
        memberId: In(pairs.map((p) => p.memberId)),
      }),
    );
    const set = new Set(rows.map((r) => `${r.rewardId}/${r.memberId}`));
    return pairs.map((p) => set.has(`${p.rewardId}/${p.memberId}`));
  }
}
