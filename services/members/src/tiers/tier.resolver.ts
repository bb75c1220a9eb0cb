import { Ctx, Directive, FieldResolver, Query, Resolver, Root } from 'type-graphql';
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

  /** Internal (campaigns caches the tier until then, or until `member.tier_changed`). */
  @Directive('@inaccessible')
  @FieldResolver(() => Date, {
    nullable: true,
    description: 'Until when `tier` holds unless a purchase or refund moves it: null, until one does.',
  })
  async tierHeldUntil(@Root() member: MemberRow, @Ctx() ctx: MembersContext): Promise<Date | null> {
    return (await ctx.loaders.standing.load(member.id)).heldUntil;
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
