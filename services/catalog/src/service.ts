import type { BaseContext, ServiceApp, ServiceDefinition } from '@loyalty/platform';
import { PlaceholderResolver } from './placeholder.resolver';

export type CatalogApp = ServiceApp;
export type CatalogContext = BaseContext & { app: CatalogApp };

export const catalogService: ServiceDefinition<CatalogApp, CatalogContext> = {
  name: 'catalog',
  entities: [],
  migrations: [],
  createApp: () => ({}),
  context: (base, app) => ({ ...base, app }),
  schema: { resolvers: [PlaceholderResolver] },
};
