import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { referralLink } from '../codes/referral-code.rules';
import type { ReferralsContext } from '../context';
import { referralsPolicy } from '../policy';
import type { ReferralRow } from '../referrals/referral.entity';
import { discountOf } from '../referrals/referral.rules';
import { FirstOrderDiscount, Referral } from '../referrals/referral.type';
import { Member, type MemberRef } from './member.type';

/** The referral fields this subgraph adds to `Member`. */
@Resolver(() => Member)
export class MemberReferralsResolver {
  private async code(member: MemberRef, ctx: ReferralsContext): Promise<string> {
    referralsPolicy.readMember(ctx.principal, member.id);
    const row = await ctx.loaders.code.load(member.id);
    if (!row) throw new Error(`no referral code for ${member.id}`);
    return row.code;
  }

  @FieldResolver(() => String, { description: 'The code a friend enters when signing up (F1).' })
  referralCode(@Root() member: MemberRef, @Ctx() ctx: ReferralsContext): Promise<string> {
    return this.code(member, ctx);
  }

  @FieldResolver(() => String, { description: 'A share link that carries the referral code.' })
  async referralLink(@Root() member: MemberRef, @Ctx() ctx: ReferralsContext): Promise<string> {
    return referralLink(ctx.app.config.linkBase, await this.code(member, ctx));
  }

  @FieldResolver(() => [Referral], {
    description:
      "The member's invitations, newest first, with status and reward (the member and the operator only).",
  })
  referrals(@Root() member: MemberRef, @Ctx() ctx: ReferralsContext): Promise<ReferralRow[]> {
    referralsPolicy.readMemberPrivate(ctx.principal, member.id);
    return ctx.loaders.referralsByInviter.load(member.id);
  }

  @FieldResolver(() => Referral, {
    nullable: true,
    description: 'The invitation this member joined through, if any.',
  })
  referredBy(@Root() member: MemberRef, @Ctx() ctx: ReferralsContext): Promise<ReferralRow | null> {
    referralsPolicy.readMemberPrivate(ctx.principal, member.id);
    return ctx.loaders.referralByInvitee.load(member.id);
  }

  @FieldResolver(() => FirstOrderDiscount, {
    nullable: true,
    description:
      'The first-order discount from joining with a referral code (members, partners at checkout, operator).',
  })
  async firstOrderDiscount(
    @Root() member: MemberRef,
    @Ctx() ctx: ReferralsContext,
  ): Promise<FirstOrderDiscount | null> {
    referralsPolicy.readMember(ctx.principal, member.id);
    const row = await ctx.loaders.referralByInvitee.load(member.id);
    return row ? discountOf(row, ctx.app.config.minPurchaseAmount) : null;
  }
}
