import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ReferralsContext } from '../context';
import { Member, type MemberRef } from '../members/member.type';
import { referralsPolicy } from '../policy';
import type { ReferralRow } from './referral.entity';
import { discountOf } from './referral.rules';
import { FirstOrderDiscount, Referral, ReferralReward } from './referral.type';

@Resolver(() => Referral)
export class ReferralResolver {
  @Query(() => Referral, {
    nullable: true,
    description: 'One referral: for its inviter, its invitee, or the operator.',
  })
  async referral(@Arg('id', () => ID) id: string, @Ctx() ctx: ReferralsContext): Promise<ReferralRow | null> {
    const row = await ctx.loaders.referral.load(id);
    if (!row) return null;
    referralsPolicy.readReferral(ctx.principal, row);
    return row;
  }

  @Mutation(() => Referral, {
    description:
      "Enter a friend's referral code after signing up without one (once, before the first purchase). " +
      'A member applies it for themself; the operator names the member. Self-referral and loops are ' +
      'recorded as REJECTED with the reason.',
  })
  applyReferralCode(
    @Arg('code') code: string,
    @Arg('memberId', () => ID, { nullable: true }) memberId: string | null,
    @Ctx() ctx: ReferralsContext,
  ): Promise<ReferralRow> {
    return ctx.app.referrals.applyCode(ctx.principal, code, memberId ?? null);
  }

  @FieldResolver(() => Member)
  inviter(@Root() row: ReferralRow): MemberRef {
    return { id: row.inviterId };
  }

  @FieldResolver(() => Member, { nullable: true })
  invitee(@Root() row: ReferralRow): MemberRef | null {
    return { id: row.inviteeId };
  }

  @FieldResolver(() => ReferralReward, {
    nullable: true,
    description: 'The rewards, once the referral qualified.',
  })
  async reward(@Root() row: ReferralRow, @Ctx() ctx: ReferralsContext): Promise<ReferralReward | null> {
    if (!row.rewardedAt || !row.qualifyingPurchaseId) return null;
    const grants = await ctx.loaders.grantsByReferral.load(row.id);
    const credits = grants.filter((g) => g.operation === 'CREDIT');
    return {
      inviterPoints: row.inviterPoints ?? 0,
      inviteePoints: row.inviteePoints ?? 0,
      rewardedAt: row.rewardedAt,
      qualifyingPurchaseId: row.qualifyingPurchaseId,
      credited: credits.every((g) => g.status === 'POSTED'),
      reversedAt: row.reversedAt,
    };
  }

  @FieldResolver(() => FirstOrderDiscount, {
    nullable: true,
    description: "The invitee's first-order discount.",
  })
  inviteeDiscount(@Root() row: ReferralRow, @Ctx() ctx: ReferralsContext): FirstOrderDiscount | null {
    return discountOf(row, ctx.app.config.minPurchaseAmount);
  }
}
