import type { ServiceDefinition } from '@loyalty/platform';
import { AccountRow, MemberStreamRow } from './accounts/account.entity';
import { MemberLedgerResolver } from './accounts/member.resolver';
import { createApp, type LedgerApp } from './app';
import { createContext, type LedgerContext } from './context';
import { EntryRow } from './entries/entry.entity';
import {
  BalanceChangeResolver,
  ExpiryWarningResolver,
  LedgerEntryResolver,
  resolveLedgerEntryReference,
} from './entries/entry.resolver';
import { WarningRow } from './expiry/warning.entity';
import { HoldRow } from './holds/hold.entity';
import { IdempotencyRow } from './idempotency/idempotency.entity';
import { LedgerAdminResolver } from './ledger/admin.resolver';
import { LedgerInternalResolver } from './ledger/internal.resolver';
import { ReversalRow } from './reversals/reversal.entity';
import { LotChangeRow, LotMoveRow, LotRow } from './lots/lot.entity';
import { CreateLedger1700000002000 } from './migrations/1700000002000-CreateLedger';

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
  ],
  migrations: [CreateLedger1700000002000],
  createApp,
  context: createContext,
  schema: {
    resolvers: [
      MemberLedgerResolver,
      LedgerEntryResolver,
      BalanceChangeResolver,
      ExpiryWarningResolver,
      LedgerInternalResolver,
      LedgerAdminResolver,
    ],
    references: { LedgerEntry: resolveLedgerEntryReference },
  },
};
