import type { ServiceApp, ServiceRuntime } from '@loyalty/platform';
import { MemberService } from './members/member.service';
import { MerchantService } from './merchants/merchant.service';
import { RemoteReferralCodeChecker } from './referral-codes';

/** The members service's rules, wired to its runtime. */
export interface MembersApp extends ServiceApp {
  members: MemberService;
  merchants: MerchantService;
}

export function createApp(runtime: ServiceRuntime): MembersApp {
  return {
    members: new MemberService(
      runtime.transactor,
      new RemoteReferralCodeChecker(runtime.client('referrals')),
    ),
    merchants: new MerchantService(runtime.transactor, runtime.tokens),
  };
}
