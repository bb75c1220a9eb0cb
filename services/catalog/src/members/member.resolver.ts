import { Arg, Ctx, FieldResolver, ID, Int, Resolver, Root } from 'type-graphql';
import { decodeCursor, encodeCursor, NotFoundError, pageSize, toConnection } from '@loyalty/platform';
import type { CatalogContext } from '../context';
import { assertCanListEligibleRewardsOf, assertCanListRedemptionsOf } from '../policy';
import { RedemptionConnection } from '../redemptions/redemption.type';
import { ineligibility } from '../rewards/eligibility.rules';
import type { RewardRow } from '../rewards/reward.entity';
import { Reward } from '../rewards/reward.type';
import { Member, type MemberRef } from './member.type';

@Resolver(() => Member)
export class MemberResolver {
  @FieldResolver(() => RedemptionConnection, {
    description: 'Newest first. The member themself and the operator.',
  })
  async redemptions(
    @Root() member: MemberRef,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: CatalogContext,
  ) {
    assertCanListRedemptionsOf(ctx.principal, member.id);
    const size = pageSize(first);
    const cursor = after ? decodeCursor<{ t: number; id: string }>(after, ['t', 'id']) : null;
    const rows = await ctx.app.redemptionQueries.listForMember(member.id, size, cursor);
    for (const row of rows) ctx.loaders.redemption.prime(row.id, row);
    return toConnection(
      rows,
      size,
      (r) => encodeCursor({ t: r.createdAt.getTime(), id: r.id }),
      (r) => r,
    );
  }

  @FieldResolver(() => [Reward], {
    description:
      'Rewards this member can redeem now: active, offered to them, their tier, in stock, within limits.',
  })
  async eligibleRewards(
    @Root() member: MemberRef,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Ctx() ctx: CatalogContext,
  ): Promise<RewardRow[]> {
    assertCanListEligibleRewardsOf(ctx.principal, member.id);
    const size = pageSize(first);
    const info = await ctx.loaders.memberInfo.load(member.id);
    if (!info) throw new NotFoundError('Member', member.id);
    // Over-fetch a little: some rewards may be over the member's limit.
    const rows = await ctx.app.rewardQueries.listVisibleTo(
      member.id,
      info.tier,
      Math.min(size * 2, 200),
      merchantId,
    );
    const used = await ctx.loaders.usedUnits.loadMany(
      rows.filter((r) => r.perMemberLimit !== null).map((r) => ({ rewardId: r.id, memberId: member.id })),
    );
    const usedBy = new Map(rows.filter((r) => r.perMemberLimit !== null).map((r, i) => [r.id, used[i]]));
    return rows
      .filter((r) => ineligibility(r, { tier: info.tier, chosen: true }) === null)
      .filter((r) => r.perMemberLimit === null || Number(usedBy.get(r.id)) < r.perMemberLimit)
      .slice(0, size);
  }
}
