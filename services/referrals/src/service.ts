import { ReferralRewarded } from './referrals/referral-rewarded.type';
import { referralsEntityPolicy } from './policy';
import type { ServiceDefinition } from '@loyalty/platform';
import { createApp, type ReferralsApp } from './app';
import { ReferralCodeRow } from './codes/referral-code.entity';
import { ReferralCodeResolver } from './codes/referral-code.resolver';
import { createContext, type ReferralsContext } from './context';
import { ReferralGrantRow } from './grants/grant.entity';
import { resolveMemberReference } from './members/member.reference';
// Loaded before the other resolvers: their registration order is the order of Query's fields.
import { ReferralResolver } from './referrals/referral.resolver';
import { MemberReferralsResolver } from './members/member.resolver';
import { CreateReferrals1700000005000 } from './migrations/1700000005000-CreateReferrals';
import { EarlyPurchases1700000005100 } from './migrations/1700000005100-EarlyPurchases';
import { EarlyPurchaseRow, EarlyRefundRow } from './early/early-purchase.entity';
import { ProgrammeResolver } from './programme/programme.resolver';
import { ReferralRow } from './referrals/referral.entity';
import { resolveReferralReference } from './referrals/referral.reference';

export type { ReferralsApp, ReferralsContext };

/** Codes, invitations, qualification and two-sided rewards: REQUIREMENTS F1–F4. */
export const referralsService: ServiceDefinition<ReferralsApp, ReferralsContext> = {
  name: 'referrals',
  entities: [ReferralCodeRow, ReferralRow, ReferralGrantRow, EarlyPurchaseRow, EarlyRefundRow],
  migrations: [CreateReferrals1700000005000, EarlyPurchases1700000005100],
  createApp: (runtime) => createApp(runtime),
  context: createContext,
  schema: {
    resolvers: [MemberReferralsResolver, ReferralResolver, ReferralCodeResolver, ProgrammeResolver],
    orphanedTypes: [ReferralRewarded],
    references: { Member: resolveMemberReference, Referral: resolveReferralReference },
    entityPolicy: referralsEntityPolicy,
  },
};
