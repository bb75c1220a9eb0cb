import type { ServiceApp, ServiceRuntime } from '@loyalty/platform';
import { loadCampaignsConfig, type CampaignsConfig } from './config';
import { CampaignService } from './campaigns/campaign.service';
import { EarnSettingsCache } from './campaigns/earn-settings.cache';
import { MemberTierCache } from './members/member-tier.cache';
import { signUpBonusConsumer } from './campaigns/signup-bonus.consumer';
import { RemoteLedgerClient, type LedgerClient } from './peers/ledger.client';
import { RemoteMembersClient, type MembersClient } from './peers/members.client';
import { ledgerPoster, type LedgerPoster } from './postings/posting.service';
import { PurchaseQueries } from './purchases/purchase.queries';
import { PurchaseService } from './purchases/purchase.service';
import { RefundService } from './purchases/refund.service';
import { EarnRateService } from './rates/earn-rate.service';
import { RecallService } from './recall/recall.service';
import { TermsService } from './terms/terms.service';

/** The campaigns service's rules, wired to its runtime. */
export interface CampaignsApp extends ServiceApp {
  config: CampaignsConfig;
  campaigns: CampaignService;
  purchases: PurchaseService;
  refunds: RefundService;
  purchaseQueries: PurchaseQueries;
  rates: EarnRateService;
  terms: TermsService;
  poster: LedgerPoster;
  recall: RecallService;
  /** Merchants' names by id (null: unknown), one call for the batch: terms name merchants. */
  merchantNames(ids: readonly string[]): Promise<(string | null)[]>;
}

export interface CampaignsAppOverrides {
  ledger?: LedgerClient;
  members?: MembersClient;
}

export async function createApp(
  runtime: ServiceRuntime,
  overrides: CampaignsAppOverrides = {},
): Promise<CampaignsApp> {
  const { transactor, logger, db } = runtime;
  const config = loadCampaignsConfig(runtime.config);
  const members = overrides.members ?? new RemoteMembersClient(runtime.client('members'));
  const remoteLedger = new RemoteLedgerClient(runtime.client('ledger'));
  const ledger = overrides.ledger ?? remoteLedger;
  const poster = ledgerPoster(transactor, ledger, logger.child({ component: 'ledger-poster' }), {
    intervalMs: config.postingIntervalMs,
    maxBackoffMs: config.postingMaxBackoffMs,
  });
  const settings = new EarnSettingsCache(transactor, config.earnSettingsTtlMs);
  const stopListening = await settings.listen(runtime.transport);
  const tiers = new MemberTierCache(config.memberTierTtlMs);
  const stopTierListening = await tiers.listen(runtime.transport);
  const terms = new TermsService(transactor, config, settings);
  const recall = new RecallService(
    transactor,
    remoteLedger,
    logger.child({ component: 'churn-recall' }),
    config.recallIntervalMs,
  );
  const purchaseQueries = new PurchaseQueries(transactor);
  const app: CampaignsApp = {
    config,
    campaigns: new CampaignService(transactor, members, settings),
    purchases: new PurchaseService(
      transactor,
      db,
      members,
      poster,
      terms,
      purchaseQueries,
      config.purchaseLimits,
      settings,
      tiers,
    ),
    refunds: new RefundService(transactor, poster, purchaseQueries, config.purchaseLimits),
    purchaseQueries,
    rates: new EarnRateService(transactor, members, settings),
    terms,
    poster,
    recall,
    merchantNames: (ids) => members.merchantNames(ids),
    start: () => {
      poster.start();
      recall.start();
    },
    stop: async () => {
      await recall.stop();
      await poster.stop();
      await stopListening();
      await stopTierListening();
    },
  };
  await runtime.consume(
    signUpBonusConsumer({
      poster,
      validityAt: (at, manager) => terms.validityAt(at, manager),
      logger,
    }),
  );
  return app;
}
