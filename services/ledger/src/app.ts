import { type ServiceApp, type ServiceRuntime, Topics } from '@loyalty/platform';
import { AccountService } from './accounts/account.service';
import { loadLedgerConfig } from './config';
import { ExpirySweeper } from './expiry/sweeper';
import { LedgerQueries } from './ledger/ledger.queries';
import { createLedger, type Ledger } from './ledger/ledger';
import { RemoteMembersClient } from './peers/members.client';
import { LiabilityService } from './reports/liability.service';
import { GreenImpactService } from './reports/green-impact.service';
import { AUDIT_EXPORT_PATH, auditExportRoute } from './audit/audit-export.route';
import { AuditQueries } from './audit/audit.queries';
import { MerchantNames } from './merchants/merchant.service';

/** The ledger's rules and background jobs, wired to its runtime. */
export interface LedgerApp extends ServiceApp {
  ledger: Ledger;
  queries: LedgerQueries;
  accounts: AccountService;
  sweeper: ExpirySweeper;
  liability: LiabilityService;
  greenImpact: GreenImpactService;
  merchantNames: MerchantNames;
}

export async function createApp(runtime: ServiceRuntime): Promise<LedgerApp> {
  const config = loadLedgerConfig(runtime.config);
  const members = new RemoteMembersClient(runtime.client('members'));
  const accounts = new AccountService(runtime.transactor, members);
  const ledger = createLedger(runtime.transactor, accounts, {
    pointsValidity: config.pointsValidity,
  });
  const greenImpact = new GreenImpactService(runtime.transactor, config.co2eFactors);
  // Green spend per category travels with the campaigns service's purchase and refund events.
  await runtime.consume({
    group: 'ledger.green-impact',
    topics: [Topics.purchaseRecorded, Topics.purchaseRefunded],
    relevant: (events) => events.map((event) => greenImpact.relevant(event)),
    handle: (event, { manager, sql }) => greenImpact.record(event, manager, sql),
    handleAll: (events, { manager, sql }) => greenImpact.recordAll(events, manager, sql),
  });
  const sweeper = new ExpirySweeper(
    runtime.transactor,
    ledger.holds,
    runtime.logger.child({ job: 'expiry' }),
    {
      clock: ledger.clock,
      intervalMs: config.sweepIntervalMs,
      leads: config.warningLeads,
    },
  );
  // Members the ledger may credit: learned from registrations (and on demand, see AccountService).
  await runtime.consume({
    group: 'ledger.member-registered',
    topics: [Topics.memberRegistered],
    handle: async (event, { manager }) => {
      const { memberId } = event.payload;
      if (memberId) await AccountService.remember(manager, memberId);
    },
  });
  // Merchant names for `LedgerEntry.merchant { name }` (@provides): the ledger's copy.
  await runtime.consume({
    group: 'ledger.merchant-names',
    topics: [Topics.merchantCreated, Topics.merchantRenamed],
    handle: (event, { manager }) => MerchantNames.record(manager, event.payload),
  });
  return {
    ledger,
    queries: new LedgerQueries(runtime.transactor),
    accounts,
    sweeper,
    liability: new LiabilityService(runtime.transactor),
    greenImpact,
    merchantNames: new MerchantNames(runtime.transactor, members),
    routes: { [AUDIT_EXPORT_PATH]: auditExportRoute(new AuditQueries(runtime.transactor)) },
    start: () => sweeper.start(),
    stop: () => sweeper.stop(),
  };
}
