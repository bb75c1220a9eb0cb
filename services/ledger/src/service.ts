import type { BaseContext, ServiceApp, ServiceDefinition } from '@loyalty/platform';
import { PlaceholderResolver } from './placeholder.resolver';

export type LedgerApp = ServiceApp;
export type LedgerContext = BaseContext & { app: LedgerApp };

export const ledgerService: ServiceDefinition<LedgerApp, LedgerContext> = {
  name: 'ledger',
  entities: [],
  migrations: [],
  createApp: () => ({}),
  context: (base, app) => ({ ...base, app }),
  schema: { resolvers: [PlaceholderResolver] },
};
