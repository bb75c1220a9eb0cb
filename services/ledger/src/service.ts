import type { ServiceDefinition } from '@loyalty/platform';
import { ledgerEntityPolicy } from './policy';
import { AccountRow, MemberStreamRow } from './accounts/account.entity';
import { MemberLedgerResolver } from './accounts/member.resolver';
import { createApp, type LedgerApp } from './app';
import { AuditResolver } from './audit/audit.resolver';
import { createContext, type LedgerContext } from './context';
// Resolvers register their operations when their module loads, and the SDL lists them in that
// order: the internal mutations first (credit, holds, reversal, extension), then adjustPoints.
import { CreditResolver } from './credits/credit.resolver';
import { HoldResolver } from './holds/hold.resolver';
import { ReversalResolver } from './reversals/reversal.resolver';
import { LotResolver } from './lots/lot.resolver';
import { AdjustmentResolver } from './credits/adjustment.resolver';
import { EntryRow } from './entries/entry.entity';
import { resolveLedgerEntryReference } from './entries/entry.reference';
import { BalanceChangeResolver, LedgerEntryResolver } from './entries/entry.resolver';
import { WarningRow } from './expiry/warning.entity';
import { ExpiryWarningResolver } from './expiry/warning.resolver';
import { HoldRow } from './holds/hold.entity';
import { IdempotencyRow } from './idempotency/idempotency.entity';
import { LotChangeRow, LotMoveRow, LotRow } from './lots/lot.entity';
import { CreateLedger1700000002000 } from './migrations/1700000002000-CreateLedger';
import { LiabilityColumns1700000002100 } from './migrations/1700000002100-LiabilityColumns';
import { ReversalRow } from './reversals/reversal.entity';
import { LiabilityResolver } from './reports/liability.resolver';
import { GreenImpactResolver } from './reports/green-impact.resolver';
import { GreenLineRow } from './reports/green-line.entity';
import { GreenLines1700000002200 } from './migrations/1700000002200-GreenLines';
import { DueLots1700000002300 } from './migrations/1700000002300-DueLots';
import { MerchantNames1700000002400 } from './migrations/1700000002400-MerchantNames';
import { DropLotsExpires1700000002500 } from './migrations/1700000002500-DropLotsExpires';
import { MerchantNameRow } from './merchants/merchant.entity';
import { MerchantNameResolver } from './merchants/merchant.resolver';

export type { LedgerApp, LedgerContext };

/** Points ledger: accounts, lots, immutable entries, holds, expiry and warnings (REQUIREMENTS L1–L10). */
export const ledgerService: ServiceDefinition<LedgerApp, LedgerContext> = {
  name: 'ledger',
  entities: [
    MemberStreamRow,
    AccountRow,
    EntryRow,
    LotRow,
    LotMoveRow,
    LotChangeRow,
    HoldRow,
    WarningRow,
    IdempotencyRow,
    ReversalRow,
    GreenLineRow,
    MerchantNameRow,
  ],
  migrations: [
    CreateLedger1700000002000,
    LiabilityColumns1700000002100,
    GreenLines1700000002200,
    DueLots1700000002300,
    MerchantNames1700000002400,
    DropLotsExpires1700000002500,
  ],
  createApp,
  context: createContext,
  schema: {
    resolvers: [
      MemberLedgerResolver,
      LedgerEntryResolver,
      MerchantNameResolver,
      BalanceChangeResolver,
      ExpiryWarningResolver,
      CreditResolver,
      HoldResolver,
      ReversalResolver,
      LotResolver,
      AdjustmentResolver,
      AuditResolver,
      LiabilityResolver,
      GreenImpactResolver,
    ],
    references: { LedgerEntry: resolveLedgerEntryReference },
    entityPolicy: ledgerEntityPolicy,
  },
};
