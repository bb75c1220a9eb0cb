import { durationMs, requireDuration, type ServiceApp, type ServiceRuntime } from '@loyalty/platform';
import { CampaignService } from './campaigns/campaign.service';
import { signUpBonusConsumer } from './campaigns/signup-bonus.consumer';
import { RemoteDirectory, type Directory } from './directory';
import { RemoteLedger, type LedgerPort } from './postings/ledger.port';
import { LedgerPoster } from './postings/posting.service';
import { PurchaseService } from './purchases/purchase.service';
import { EarnRateService } from './rates/earn-rate.service';
import { TermsService } from './terms/terms.service';

/** The campaigns service's rules, wired to its runtime. */
export interface CampaignsApp extends ServiceApp {
  campaigns: CampaignService;
  purchases: PurchaseService;
  rates: EarnRateService;
  terms: TermsService;
  poster: LedgerPoster;
}

export interface CampaignsAppOverrides {
  ledger?: LedgerPort;
  directory?: Directory;
}

export async function createApp(
  runtime: ServiceRuntime,
  overrides: CampaignsAppOverrides = {},
): Promise<CampaignsApp> {
  const { transactor, config, logger, db } = runtime;
  const directory = overrides.directory ?? new RemoteDirectory(runtime.client('members'));
  const ledger = overrides.ledger ?? new RemoteLedger(runtime.client('ledger'));
  // Postings are an outbox towards the ledger: polled like the event outbox.
  const intervalMs = durationMs(requireDuration(config.env.OUTBOX_POLL_INTERVAL));
  const poster = new LedgerPoster(transactor, ledger, logger.child({ component: 'ledger-poster' }), {
    intervalMs,
    maxBackoffMs: Math.max(intervalMs * 20, 5_000),
  });
  const terms = new TermsService(transactor, config);
  const app: CampaignsApp = {
    campaigns: new CampaignService(transactor, directory),
    purchases: new PurchaseService(transactor, db, directory, poster, terms),
    rates: new EarnRateService(transactor, directory),
    terms,
    poster,
    start: () => poster.start(),
    stop: () => poster.stop(),
  };
  await runtime.consume(
    signUpBonusConsumer({
      mysql: db.kind === 'mysql',
      poster,
      validityAt: (at, manager) => terms.validityAt(at, manager),
      logger,
    }),
  );
  return app;
}
