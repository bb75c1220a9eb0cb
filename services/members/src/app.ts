import type { ServiceApp, ServiceRuntime } from '@loyalty/platform';
import { MemberService } from './members/member.service';
import { MerchantService } from './merchants/merchant.service';
import { PrivacyService } from './privacy/privacy.service';
import { RemoteReferralsClient } from './peers/referrals.client';
import { SPEND_TOPICS, TierService } from './tiers/tier.service';
import { NOTICE_TOPICS, onNoticeEvent } from './notices/notice.consumer';
import { NoticeService } from './notices/notice.service';

/** The members service's rules, wired to its runtime. */
export interface MembersApp extends ServiceApp {
  members: MemberService;
  merchants: MerchantService;
  tiers: TierService;
  privacy: PrivacyService;
  notices: NoticeService;
}

export async function createApp(runtime: ServiceRuntime): Promise<MembersApp> {
  const tiers = new TierService(runtime.transactor);
  // Tiers follow spending: learnt from the campaigns service's purchase events.
  await runtime.consume({
    group: 'members.tier-spend',
    topics: SPEND_TOPICS,
    handle: (event, uow) => tiers.onPurchaseEvent(event, uow),
  });
  const notices = new NoticeService(runtime.transactor, runtime.config.env.PROGRAMME_TIME_ZONE);
  // One inbox for every notice (T5): the causes are other services' events.
  await runtime.consume({
    group: 'members.notices',
    topics: NOTICE_TOPICS,
    handle: (event, uow) => onNoticeEvent(notices, event, uow),
  });
  return {
    notices,
    members: new MemberService(runtime.transactor, new RemoteReferralsClient(runtime.client('referrals'))),
    merchants: new MerchantService(runtime.transactor, runtime.tokens),
    tiers,
    privacy: new PrivacyService(runtime.transactor),
  };
}
