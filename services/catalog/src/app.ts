import type { ServiceApp, ServiceRuntime } from '@loyalty/platform';
import { loadCatalogConfig, type CatalogConfig } from './config';
import { RemoteLedgerClient, type LedgerClient } from './peers/ledger.client';
import { RemoteMembersClient, type MembersClient } from './peers/members.client';
import { RedemptionRecovery } from './redemptions/redemption.recovery';
import { RedemptionService } from './redemptions/redemption.service';
import { RewardService } from './rewards/reward.service';

/** The catalog's rules, wired to its runtime; the recovery sweeper runs while the service is up. */
export interface CatalogApp extends ServiceApp {
  config: CatalogConfig;
  members: MembersClient;
  ledger: LedgerClient;
  rewards: RewardService;
  redemptions: RedemptionService;
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
  const members = ports.members ?? new RemoteMembersClient(runtime.client('members'));
  const ledger = ports.ledger ?? new RemoteLedgerClient(runtime.client('ledger'));
  const rewards = new RewardService(runtime.transactor, members);
  const redemptions = new RedemptionService(
    runtime.transactor,
    runtime.db.kind,
    ledger,
    members,
    rewards,
    config,
    runtime.logger,
  );
  const recovery = new RedemptionRecovery(
    redemptions,
    runtime.logger,
    config.recoveryIntervalMs,
    config.staleAfterMs,
  );
  return {
    config,
    members,
    ledger,
    rewards,
    redemptions,
    recovery,
    start: () => recovery.start(),
    stop: () => recovery.stop(),
  };
}
