import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { decodeCursor, encodeCursor, NotFoundError, pageSize, toConnection } from '@loyalty/platform';
import type { CatalogContext } from '../context';
import { assertCanReadRedemption, redemptionListScope } from '../policy';
import { Member, type MemberRef } from '../members/member.type';
import type { RewardRow } from '../rewards/reward.entity';
import { Reward } from '../rewards/reward.type';
import type { RedemptionRow } from './redemption.entity';
import { RedeemInput } from './redemption.input';
import { Redemption, RedemptionConnection, RedemptionTransition } from './redemption.type';
import { RedemptionStatus } from './redemption.state';

@Resolver(() => Redemption)
export class RedemptionResolver {
  @Query(() => Redemption, {
    nullable: true,
    description: 'The member, the reward’s merchant, or the operator.',
  })
  async redemption(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: CatalogContext,
  ): Promise<RedemptionRow | null> {
    const row = await ctx.loaders.redemption.load(id);
    if (row) assertCanReadRedemption(ctx.principal, row);
    return row;
  }

  @Query(() => RedemptionConnection, {
    description:
      "Redemptions to fulfil or audit, newest first: a partner its own merchant's, the operator any.",
  })
  async redemptions(
    @Arg('merchantId', () => ID, { nullable: true, description: "A partner's own by default." })
    merchantId: string | null,
    @Arg('status', () => RedemptionStatus, { nullable: true }) status: RedemptionStatus | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: CatalogContext,
  ) {
    const scope = redemptionListScope(ctx.principal, merchantId);
    const size = pageSize(first);
    const cursor = after ? decodeCursor<{ t: number; id: string }>(after, ['t', 'id']) : null;
    const rows = await ctx.app.redemptionQueries.listForMerchant(scope, status, size, cursor);
    for (const row of rows) ctx.loaders.redemption.prime(row.id, row);
    return toConnection(
      rows,
      size,
      (r) => encodeCursor({ t: r.createdAt.getTime(), id: r.id }),
      (r) => r,
    );
  }

  @Mutation(() => Redemption, {
    description: 'Idempotent by (caller, idempotencyKey): a retry returns the first redemption.',
  })
  async redeemReward(@Arg('input') input: RedeemInput, @Ctx() ctx: CatalogContext): Promise<RedemptionRow> {
    return ctx.app.redemptions.redeem(input, ctx.principal);
  }

  @Mutation(() => Redemption, {
    description:
      'Members before fulfilment; partners for their own rewards; the operator. Points go back; compensation ' +
      '(default for partner and operator cancellations) adds a COMPENSATE entry.',
  })
  async cancelRedemption(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @Arg('compensate', () => Boolean, { nullable: true }) compensate: boolean | null,
    @Ctx() ctx: CatalogContext,
  ): Promise<RedemptionRow> {
    return ctx.app.cancellations.cancel(id, reason, ctx.principal, compensate);
  }

  @Mutation(() => Redemption, {
    description:
      "The reward's merchant or the operator records the cash part received (OWED → PAID); a replay returns the redemption as it is.",
  })
  async recordRedemptionCashPaid(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: CatalogContext,
  ): Promise<RedemptionRow> {
    return ctx.app.handover.recordCashPaid(id, ctx.principal);
  }

  @Mutation(() => Redemption, { description: "The reward's merchant or the operator hands the reward over." })
  async fulfillRedemption(
    @Arg('id', () => ID) id: string,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: CatalogContext,
  ): Promise<RedemptionRow> {
    return ctx.app.handover.fulfill(id, note, ctx.principal);
  }

  @FieldResolver(() => Reward)
  async reward(@Root() row: RedemptionRow, @Ctx() ctx: CatalogContext): Promise<RewardRow> {
    const reward = await ctx.loaders.reward.load(row.rewardId);
    if (!reward) throw new NotFoundError('Reward', row.rewardId);
    return reward;
  }

  @FieldResolver(() => Member)
  member(@Root() row: RedemptionRow): MemberRef {
    return { id: row.memberId };
  }

  @FieldResolver(() => [RedemptionTransition], { description: 'Every state change, oldest first.' })
  async transitions(@Root() row: RedemptionRow, @Ctx() ctx: CatalogContext): Promise<RedemptionTransition[]> {
    const rows = await ctx.loaders.transitions.load(row.id);
    return rows.map((t) => ({
      from: t.fromStatus as RedemptionStatus | null,
      to: t.toStatus as RedemptionStatus,
      actor: t.actor,
      reason: t.reason,
      at: t.at,
    }));
  }
}
