import type { ServiceApp, ServiceRuntime } from '@loyalty/platform';
import { loadCatalogConfig, type CatalogConfig } from './config';
import { RemoteLedger, type LedgerPort } from './ledger/ledger.port';
import { RemoteMemberDirectory, type MemberDirectory } from './members/member-directory';
import { RedemptionRecovery } from './redemptions/redemption.recovery';
import { RedemptionService } from './redemptions/redemption.service';
import { RewardService } from './rewards/reward.service';

/** The catalog's rules, wired to its runtime; the recovery sweeper runs while the service is up. */
export interface CatalogApp extends ServiceApp {
  config: CatalogConfig;
  directory: MemberDirectory;
  ledger: LedgerPort;
  rewards: RewardService;
  redemptions: RedemptionService;
  recovery: RedemptionRecovery;
}

/** The other services the catalog depends on; tests may substitute them. */
export interface CatalogPorts {
  ledger: LedgerPort;
  directory: MemberDirectory;
}

export function createApp(
  runtime: ServiceRuntime,
  config: CatalogConfig = loadCatalogConfig(),
  ports: Partial<CatalogPorts> = {},
): CatalogApp {
  const directory = ports.directory ?? new RemoteMemberDirectory(runtime.client('members'));
  const ledger = ports.ledger ?? new RemoteLedger(runtime.client('ledger'));
  const rewards = new RewardService(runtime.transactor, directory);
  const redemptions = new RedemptionService(
    runtime.transactor,
    runtime.db.kind,
    ledger,
    directory,
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
    directory,
    ledger,
    rewards,
    redemptions,
    recovery,
    start: () => recovery.start(),
    stop: () => recovery.stop(),
  };
}
