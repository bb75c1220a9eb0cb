import { Topics, type ServiceApp, type ServiceRuntime } from '@loyalty/platform';
import { ReferralCodeService } from './codes/referral-code.service';
import { grantPoster, type GrantPoster } from './grants/grant.service';
import { RemoteLedgerClient, type LedgerClient } from './peers/ledger.client';
import { ReferralRewardService } from './referrals/referral-reward.service';
import { ReferralReversalService } from './referrals/referral-reversal.service';
import { ReferralQueries } from './referrals/referral.queries';
import { ReferralService } from './referrals/referral.service';
import { loadReferralsConfig, type ReferralsConfig } from './config';

/** The referrals service's rules and background work, wired to its runtime. */
export interface ReferralsApp extends ServiceApp {
  config: ReferralsConfig;
  codes: ReferralCodeService;
  referrals: ReferralService;
  rewards: ReferralRewardService;
  reversals: ReferralReversalService;
  queries: ReferralQueries;
  grants: GrantPoster;
}

export async function createApp(runtime: ServiceRuntime, ledger?: LedgerClient): Promise<ReferralsApp> {
  const config = loadReferralsConfig(runtime.config);
  const codes = new ReferralCodeService(runtime.transactor);
  const rewards = new ReferralRewardService(runtime.transactor, codes, config, runtime.logger);
  const reversals = new ReferralReversalService(config, runtime.logger);
  const referrals = new ReferralService(runtime.transactor, codes, rewards, config, runtime.logger);
  const queries = new ReferralQueries(runtime.transactor);
  const grants = grantPoster(
    runtime.transactor,
    ledger ?? new RemoteLedgerClient(runtime.client('ledger')),
    runtime.logger.child({ component: 'referral-grants' }),
    config.grantPollMs,
  );
  await runtime.consume({
    group: 'referrals.members',
    topics: [Topics.memberRegistered, Topics.memberErased],
    handle: (event, uow) =>
      event.topic === Topics.memberErased
        ? referrals.onMemberErased(event, uow)
        : referrals.onMemberRegistered(event, uow),
  });
  await runtime.consume({
    group: 'referrals.purchases',
    topics: [Topics.purchaseRecorded, Topics.purchaseRefunded],
    relevant: (events) => rewards.relevant(events),
    handle: (event, uow) =>
      event.topic === Topics.purchaseRefunded
        ? reversals.onPurchaseRefunded(event, uow)
        : rewards.onPurchaseRecorded(event, uow),
  });
  const unlisten: (() => Promise<void>)[] = [];
  return {
    config,
    codes,
    referrals,
    rewards,
    reversals,
    queries,
    grants,
    async start() {
      grants.start();
      // A decision's grants go out as soon as its event leaves the outbox (i.e. it committed).
      for (const topic of [Topics.referralRewarded, Topics.referralReversed]) {
        unlisten.push(await runtime.transport.listen(topic, () => grants.nudge()));
      }
    },
    async stop() {
      for (const u of unlisten.splice(0)) await u();
      await grants.stop();
    },
  };
}
