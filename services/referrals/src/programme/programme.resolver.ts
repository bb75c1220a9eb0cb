import { Ctx, Query, Resolver } from 'type-graphql';
import type { ReferralsContext } from '../context';
import { programmeTerms } from './programme.rules';
import { ReferralProgramme } from './programme.type';

@Resolver()
export class ProgrammeResolver {
  @Query(() => ReferralProgramme, { description: 'The referral programme: rewards, conditions and limits.' })
  referralProgramme(@Ctx() ctx: ReferralsContext): ReferralProgramme {
    const s = ctx.app.config;
    return {
      inviterPoints: s.inviterPoints,
      inviteePoints: s.inviteePoints,
      inviteeDiscount: s.inviteeDiscount,
      minimumPurchaseAmount: s.minPurchaseAmount,
      capPerPeriod: s.capPerPeriod,
      capPeriod: s.capPeriodText,
      refundWindow: s.refundWindowText,
      terms: programmeTerms(s),
    };
  }
}
