import DataLoader from 'dataloader';
import type { BaseContext } from '@loyalty/platform';
import type { LedgerApp } from './app';
import type { AccountRow } from './accounts/account.entity';
import type { EntryRow } from './entries/entry.entity';
import type { WarningRow } from './expiry/warning.entity';
import type { EntryPageKey, ExpiringGroup } from './ledger/ledger.queries';

/** Per-request context: the app and DataLoaders, so lists and references cost a fixed number of queries. */
export interface LedgerContext extends BaseContext {
  app: LedgerApp;
  loaders: {
    accounts: DataLoader<string, AccountRow[]>;
    expiring: DataLoader<{ memberId: string; withinDays: number }, ExpiringGroup[], string>;
    entryPages: DataLoader<EntryPageKey, EntryRow[], string>;
    warnings: DataLoader<{ memberId: string; first: number }, WarningRow[], string>;
    entry: DataLoader<string, EntryRow | null>;
    merchantName: DataLoader<string, string | null>;
  };
}

export function createContext(base: BaseContext, app: LedgerApp): LedgerContext {
  const q = app.queries;
  return {
    ...base,
    app,
    loaders: {
      accounts: new DataLoader((ids) => q.accounts(ids)),
      expiring: new DataLoader((keys) => q.expiring(keys, app.ledger.clock()), {
        cacheKeyFn: (k) => JSON.stringify(k),
      }),
      entryPages: new DataLoader((keys) => q.entryPages(keys), { cacheKeyFn: (k) => JSON.stringify(k) }),
      warnings: new DataLoader((keys) => q.warnings(keys), { cacheKeyFn: (k) => JSON.stringify(k) }),
      entry: new DataLoader((ids) => q.entriesByIds(ids)),
      merchantName: new DataLoader((ids) => app.merchantNames.names(ids)),
    },
  };
}
