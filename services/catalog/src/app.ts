import type { ServiceApp, ServiceRuntime } from '@loyalty/platform';
import { loadCatalogConfig, type CatalogConfig } from './config';
import { RemoteLedgerClient, type LedgerClient } from './peers/ledger.client';
import { RemoteMembersClient, type MembersClient } from './peers/members.client';
import { RedemptionCancellation } from './redemptions/redemption.cancellation';
import { RedemptionQueries } from './redemptions/redemption.queries';
import { RedemptionRecovery } from './redemptions/redemption.recovery';
import { RedemptionHandover } from './redemptions/redemption.handover';
import { RedemptionService } from './redemptions/redemption.service';
import { RedemptionSettlement } from './redemptions/redemption.settlement';
import { RewardQueries } from './rewards/reward.queries';
import { RewardService } from './rewards/reward.service';

/** The catalog's rules, wired to its runtime; the recovery sweeper runs while the service is up. */
export interface CatalogApp extends ServiceApp {
  config: CatalogConfig;
  members: MembersClient;
  ledger: LedgerClient;
  rewards: RewardService;
  rewardQueries: RewardQueries;
  /** The saga: redeem, hold, capture, confirm. */
  redemptions: RedemptionService;
  /** After it: the cash part paid, the reward handed over. */
  handover: RedemptionHandover;
  cancellations: RedemptionCancellation;
  settlement: RedemptionSettlement;
  redemptionQueries: RedemptionQueries;
  recovery: RedemptionRecovery;
}

/** The other services the catalog depends on; tests may substitute them. */
export interface CatalogPorts {
  ledger: LedgerClient;
  members: MembersClient;
}

export function createApp(
  runtime: ServiceRuntime,
  config: CatalogConfig = loadCatalogConfig(runtime.config),
  ports: Partial<CatalogPorts> = {},
): CatalogApp {
  const { transactor, logger } = runtime;
  const members = ports.members ?? new RemoteMembersClient(runtime.client('members'));
  const ledger = ports.ledger ?? new RemoteLedgerClient(runtime.client('ledger'));
  const rewardQueries = new RewardQueries(transactor);
  const rewards = new RewardService(transactor, rewardQueries, members);
  const redemptionQueries = new RedemptionQueries(transactor);
  const settlement = new RedemptionSettlement(
    transactor,
    ledger,
    redemptionQueries,
    config.holdTtlSeconds,
    logger,
  );
  const redemptions = new RedemptionService(
    transactor,
    ledger,
    members,
    rewardQueries,
    redemptionQueries,
    settlement,
    config.holdTtlSeconds,
  );
  const cancellations = new RedemptionCancellation(
    transactor,
    redemptionQueries,
    rewardQueries,
    settlement,
    config.compensation,
  );
  const recovery = new RedemptionRecovery(
    redemptions,
    settlement,
    redemptionQueries,
    logger,
    config.recoveryIntervalMs,
    config.staleAfterMs,
  );
  return {
    config,
    members,
    ledger,
    rewards,
    rewardQueries,
    redemptions,
    handover: new RedemptionHandover(transactor, redemptionQueries),
    cancellations,
    settlement,
    redemptionQueries,
    recovery,
    start: () => recovery.start(),
    stop: () => recovery.stop(),
  };
}
