import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import {
  allowPublicReuse,
  decodeCursor,
  encodeCursor,
  limitPublicReuse,
  pageSize,
  toConnection,
} from '@loyalty/platform';
import type { CatalogContext } from '../context';
import { assertCanListInactive, canSeeReward } from '../policy';
import { Merchant } from '../merchants/merchant.type';
import type { PriceRuleRow } from './price-rule.entity';
import { activePointsPrice, nextPriceChange } from './pricing.rules';
import { RewardConnection } from './reward.connection';
import type { RewardRow } from './reward.entity';
import { CreateRewardInput, PriceRuleInput, UpdateRewardInput } from './reward.input';
import { PriceRule, Reward, RewardKind } from './reward.type';

@Resolver(() => Reward)
export class RewardResolver {
  @Query(() => RewardConnection, { description: 'The catalog: active rewards offered to everyone, by id.' })
  async rewards(
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Arg('kind', () => RewardKind, { nullable: true }) kind: RewardKind | null,
    @Arg('includeInactive', () => Boolean, {
      nullable: true,
      defaultValue: false,
      description: "Delisted and personal rewards too: the operator, or a partner for its own merchant's.",
    })
    includeInactive: boolean,
    @Ctx() ctx: CatalogContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    const size = pageSize(first);
    const afterId = after ? decodeCursor<{ id: string }>(after, ['id']).id : null;
    if (includeInactive) assertCanListInactive(ctx.principal, merchantId);
    else {
      // Everyone is shown the same active, non-personal rewards: any caller's answer will do.
      allowPublicReuse(info, ctx.app.config.rewardListMaxAgeSeconds);
    }
    const rows = await ctx.app.rewardQueries.list(size, afterId, {
      merchantId,
      kind,
      includeInactive,
      includePersonal: includeInactive,
    });
    for (const row of rows) ctx.loaders.reward.prime(row.id, row);
    return toConnection(
      rows,
      size,
      (r) => encodeCursor({ id: r.id }),
      (r) => r,
    );
  }

  @Query(() => Reward, { nullable: true })
  async reward(@Arg('id', () => ID) id: string, @Ctx() ctx: CatalogContext): Promise<RewardRow | null> {
    const row = await ctx.loaders.reward.load(id);
    return row && (await canSeeReward(ctx, row)) ? row : null;
  }

  @Mutation(() => Reward, { description: 'A partner for its own merchant, or the operator.' })
  async createReward(@Arg('input') input: CreateRewardInput, @Ctx() ctx: CatalogContext): Promise<RewardRow> {
    return ctx.app.rewards.create(input, ctx.principal);
  }

  @Mutation(() => Reward)
  async updateReward(@Arg('input') input: UpdateRewardInput, @Ctx() ctx: CatalogContext): Promise<RewardRow> {
    return ctx.app.rewards.update(input, ctx.principal);
  }

  @Mutation(() => Reward, { description: 'Adds units (a negative quantity writes off units on the shelf).' })
  async restockReward(
    @Arg('id', () => ID) id: string,
    @Arg('quantity', () => Int) quantity: number,
    @Ctx() ctx: CatalogContext,
  ): Promise<RewardRow> {
    return ctx.app.rewards.restock(id, quantity, ctx.principal);
  }

  @Mutation(() => PriceRule, { description: 'A time-limited redemption price (C3).' })
  async addPriceRule(
    @Arg('rewardId', () => ID) rewardId: string,
    @Arg('input') input: PriceRuleInput,
    @Ctx() ctx: CatalogContext,
  ): Promise<PriceRuleRow> {
    return ctx.app.rewards.addPriceRule(rewardId, input, ctx.principal);
  }

  @Mutation(() => Reward, { description: 'Makes a reward personal and offers it to these members (C4, R8).' })
  async offerReward(
    @Arg('rewardId', () => ID) rewardId: string,
    @Arg('memberIds', () => [ID]) memberIds: string[],
    @Ctx() ctx: CatalogContext,
  ): Promise<RewardRow> {
    return ctx.app.rewards.offer(rewardId, memberIds, ctx.principal);
  }

  @Mutation(() => Reward, {
    description:
      'Withdraw a reward; open redemptions of it are cancelled with points returned and compensation.',
  })
  async delistReward(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: CatalogContext,
  ): Promise<RewardRow> {
    return ctx.app.cancellations.delist(id, reason, ctx.principal);
  }

  @FieldResolver(() => Merchant, { nullable: true })
  merchant(@Root() reward: RewardRow): Merchant | null {
    return reward.merchantId ? { id: reward.merchantId } : null;
  }

  @FieldResolver(() => Int, { description: 'Current price in points (after any active discount).' })
  async pointsPrice(
    @Root() reward: RewardRow,
    @Ctx() ctx: CatalogContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<number> {
    const rules = await ctx.loaders.priceRules.load(reward.id);
    const now = new Date();
    // A reused answer must not show this price after a special price starts or ends.
    const next = nextPriceChange(rules, now);
    if (next) limitPublicReuse(info, (next.getTime() - now.getTime()) / 1000);
    return activePointsPrice(reward.listPointsPrice, rules, now);
  }

  @FieldResolver(() => [PriceRule], { description: 'Special prices in force now or still to come.' })
  async priceRules(@Root() reward: RewardRow, @Ctx() ctx: CatalogContext): Promise<PriceRuleRow[]> {
    return ctx.loaders.priceRules.load(reward.id);
  }
}
