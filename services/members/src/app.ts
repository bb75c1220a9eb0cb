import type { ServiceApp, ServiceRuntime } from '@loyalty/platform';
import { MemberService } from './members/member.service';
import { MerchantService } from './merchants/merchant.service';
import { PrivacyService } from './privacy/privacy.service';
import { RemoteReferralsClient } from './peers/referrals.client';
import { SPEND_TOPICS, TierService } from './tiers/tier.service';

/** The members service's rules, wired to its runtime. */
export interface MembersApp extends ServiceApp {
  members: MemberService;
  merchants: MerchantService;
  tiers: TierService;
  privacy: PrivacyService;
}

export async function createApp(runtime: ServiceRuntime): Promise<MembersApp> {
  const tiers = new TierService(runtime.transactor);
  // Tiers follow spending: learnt from the campaigns service's purchase events.
  await runtime.consume({
    group: 'members.tier-spend',
    topics: SPEND_TOPICS,
    handle: (event, uow) => tiers.onPurchaseEvent(event, uow),
  });
  return {
    members: new MemberService(runtime.transactor, new RemoteReferralsClient(runtime.client('referrals'))),
    merchants: new MerchantService(runtime.transactor, runtime.tokens),
    tiers,
    privacy: new PrivacyService(runtime.transactor, runtime.db),
  };
}
