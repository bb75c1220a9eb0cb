import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { MembersContext } from '../context';
import type { MemberRow } from '../members/member.entity';
import { Member } from '../members/member.type';
import { tierLadder, TIER_WINDOW_DAYS } from './tier.rules';
import { TierRule, TierStatus } from './tier.type';

@Resolver(() => Member)
export class TierResolver {
  @FieldResolver(() => String, {
    description: 'REGULAR, SILVER, GOLD or PLATINUM, from net spend over a rolling window.',
  })
  async tier(@Root() member: MemberRow, @Ctx() ctx: MembersContext): Promise<string> {
    return (await ctx.loaders.standing.load(member.id)).tier;
  }

  @FieldResolver(() => TierStatus)
  async tierStatus(@Root() member: MemberRow, @Ctx() ctx: MembersContext): Promise<TierStatus> {
    return { ...(await ctx.loaders.standing.load(member.id)), windowDays: TIER_WINDOW_DAYS };
  }

  @Query(() => [TierRule], { description: 'The tier ladder, disclosed to everyone.' })
  tierRules(): TierRule[] {
    return tierLadder();
  }
}
