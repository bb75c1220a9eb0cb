import { randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import {
  BadInputError,
  checkText,
  NotFoundError,
  PointKind,
  type Principal,
  type Transactor,
} from '@loyalty/platform';
import type { MembersClient } from '../peers/members.client';
import { assertCanManageReward, rewardOwnerFor } from '../policy';
import { isTier } from './eligibility.rules';
import { PriceRuleRow } from './price-rule.entity';
import { assertCashPrice, assertPointsPrice, assertPriceWindow } from './pricing.rules';
import { RewardAudienceRow } from './reward-audience.entity';
import { RewardRow } from './reward.entity';
import type { CreateRewardInput, PriceRuleInput, UpdateRewardInput } from './reward.input';
import type { RewardQueries } from './reward.queries';

const MAX_AUDIENCE = 1000;

/** Names are one line; terms may run over several. */
const text = (value: string, field: string, max: number): string =>
  checkText(value, field, max, { multiline: field === 'terms' });

function optionalCount(value: number | null | undefined, field: string): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 0)
    throw new BadInputError(`${field} must be a whole number, not negative`, field);
  return value;
}

function tierOrNull(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === 'NONE') return null;
  if (!isTier(value)) throw new BadInputError('minTier must be REGULAR, SILVER, GOLD or PLATINUM', 'minTier');
  return value;
}

/** Managing rewards, their prices and audiences (C1–C4); reads are {@link RewardQueries}'. */
export class RewardService {
  constructor(
    private readonly transactor: Transactor,
    private readonly queries: RewardQueries,
    private readonly members: MembersClient,
  ) {}

  async create(input: CreateRewardInput, principal: Principal | null): Promise<RewardRow> {
    const merchantId = rewardOwnerFor(principal, input.merchantId);
    const name = text(input.name, 'name', 100);
    assertPointsPrice(input.pointsPrice, 'pointsPrice');
    const cashPrice = input.cashPrice ?? 0;
    assertCashPrice(cashPrice, 'cashPrice');
    const stock = optionalCount(input.stock, 'stock');
    const perMemberLimit = optionalCount(input.perMemberLimit, 'perMemberLimit');
    if (perMemberLimit === 0)
      throw new BadInputError('perMemberLimit must be at least 1 (omit it for no limit)', 'perMemberLimit');
    const minTier = tierOrNull(input.minTier);
    const terms = input.terms?.trim() ? text(input.terms, 'terms', 5000) : null;
    const pointKind = input.pointKind ?? PointKind.REGULAR;
    if (input.acceptsAnyKind && pointKind === PointKind.GREEN) {
      throw new BadInputError('A GREEN reward takes green points only', 'acceptsAnyKind');
    }
    const rules = input.priceRules ?? [];
    rules.forEach((r, i) => assertPriceWindow(r, input.pointsPrice, `priceRules.${i}`));
    rules.forEach((r, i) => text(r.label, `priceRules.${i}.label`, 100));
    const audience = [...new Set(input.offeredTo ?? [])];
    if (audience.length > MAX_AUDIENCE)
      throw new BadInputError(`At most ${MAX_AUDIENCE} members per call`, 'offeredTo');
    // Before any write: the merchant and the chosen members must exist.
    if (merchantId !== null && !(await this.members.merchantExists(merchantId)))
      throw new NotFoundError('Merchant', merchantId);
    await this.assertMembersExist(audience);
    return this.transactor.run(async ({ manager }) => {
      const now = new Date();
      const reward = manager.create(RewardRow, {
        id: randomUUID(),
        merchantId,
        name,
        kind: input.kind,
        terms,
        listPointsPrice: input.pointsPrice,
        cashPrice,
        pointKind,
        acceptsAnyKind: input.acceptsAnyKind ?? false,
        stock,
        perMemberLimit,
        minTier,
        personal: input.offeredTo !== null && input.offeredTo !== undefined,
        active: true,
        delistReason: null,
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(RewardRow, reward);
      await this.insertRules(manager, reward.id, rules, now);
      await this.insertAudience(manager, reward.id, audience, now);
      return reward;
    });
  }

  async update(input: UpdateRewardInput, principal: Principal | null): Promise<RewardRow> {
    const reward = await this.queries.require(input.id);
    assertCanManageReward(principal, reward);
    const changes: Partial<RewardRow> = {};
    if (input.name !== null && input.name !== undefined) changes.name = text(input.name, 'name', 100);
    if (input.pointsPrice !== null && input.pointsPrice !== undefined) {
      assertPointsPrice(input.pointsPrice, 'pointsPrice');
      changes.listPointsPrice = input.pointsPrice;
    }
    if (input.cashPrice !== null && input.cashPrice !== undefined) {
      assertCashPrice(input.cashPrice, 'cashPrice');
      changes.cashPrice = input.cashPrice;
    }
    if (input.terms !== null && input.terms !== undefined)
      changes.terms = input.terms.trim() ? text(input.terms, 'terms', 5000) : null;
    if (input.perMemberLimit !== null && input.perMemberLimit !== undefined) {
      const limit = optionalCount(input.perMemberLimit, 'perMemberLimit');
      changes.perMemberLimit = limit === 0 ? null : limit;
    }
    if (input.minTier !== null && input.minTier !== undefined) changes.minTier = tierOrNull(input.minTier);
    return this.transactor.run(async ({ manager }) => {
      await manager.update(RewardRow, { id: reward.id }, { ...changes, updatedAt: new Date() });
      return manager.findOneByOrFail(RewardRow, { id: reward.id });
    });
  }

  /** Adds units (or, with a negative number, writes off units that are still on the shelf). */
  async restock(id: string, quantity: number, principal: Principal | null): Promise<RewardRow> {
    const reward = await this.queries.require(id);
    assertCanManageReward(principal, reward);
    if (!Number.isInteger(quantity) || quantity === 0)
      throw new BadInputError('quantity must be a non-zero whole number', 'quantity');
    if (reward.stock === null) throw new BadInputError('This reward has unlimited stock', 'id');
    return this.transactor.run(async ({ manager }) => {
      const result = await manager
        .createQueryBuilder()
        .update(RewardRow)
        .set({ stock: () => 'stock + :q', updatedAt: new Date() })
        .where('id = :id AND stock IS NOT NULL AND stock + :q >= 0', { id, q: quantity })
        .execute();
      if (!result.affected)
        throw new BadInputError('Cannot write off more units than are in stock', 'quantity');
      return manager.findOneByOrFail(RewardRow, { id });
    });
  }

  async addPriceRule(
    rewardId: string,
    input: PriceRuleInput,
    principal: Principal | null,
  ): Promise<PriceRuleRow> {
    const reward = await this.queries.require(rewardId);
    assertCanManageReward(principal, reward);
    assertPriceWindow(input, reward.listPointsPrice, 'input');
    text(input.label, 'input.label', 100);
    return this.transactor.run(
      async ({ manager }) => (await this.insertRules(manager, rewardId, [input], new Date()))[0],
    );
  }

  /** Offers a personal reward to more chosen members. */
  async offer(rewardId: string, memberIds: string[], principal: Principal | null): Promise<RewardRow> {
    const reward = await this.queries.require(rewardId);
    assertCanManageReward(principal, reward);
    const audience = [...new Set(memberIds)];
    if (audience.length === 0 || audience.length > MAX_AUDIENCE) {
      throw new BadInputError(`memberIds must list 1 to ${MAX_AUDIENCE} members`, 'memberIds');
    }
    await this.assertMembersExist(audience);
    return this.transactor.run(async ({ manager }) => {
      const existing = await manager.findBy(RewardAudienceRow, { rewardId, memberId: In(audience) });
      const known = new Set(existing.map((r) => r.memberId));
      const now = new Date();
      await this.insertAudience(
        manager,
        rewardId,
        audience.filter((m) => !known.has(m)),
        now,
      );
      await manager.update(RewardRow, { id: rewardId }, { personal: true, updatedAt: now });
      return manager.findOneByOrFail(RewardRow, { id: rewardId });
    });
  }

  private async insertRules(
    manager: EntityManager,
    rewardId: string,
    rules: PriceRuleInput[],
    now: Date,
  ): Promise<PriceRuleRow[]> {
    const rows = rules.map((r) =>
      manager.create(PriceRuleRow, {
        id: randomUUID(),
        rewardId,
        label: r.label.trim(),
        pointsPrice: r.pointsPrice,
        startsAt: r.startsAt,
        endsAt: r.endsAt,
        createdAt: now,
      }),
    );
    if (rows.length) await manager.insert(PriceRuleRow, rows);
    return rows;
  }

  private async insertAudience(
    manager: EntityManager,
    rewardId: string,
    memberIds: string[],
    now: Date,
  ): Promise<void> {
    if (memberIds.length === 0) return;
    await manager.insert(
      RewardAudienceRow,
      memberIds.map((memberId) => ({ rewardId, memberId, addedAt: now })),
    );
  }

  private async assertMembersExist(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const found = await this.members.tiers(ids);
    const missing = ids.filter((_, i) => !found[i]);
    if (missing.length) throw new NotFoundError('Member', missing[0]);
  }
}
