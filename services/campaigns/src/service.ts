import type { BaseContext, ServiceApp, ServiceDefinition } from '@loyalty/platform';
import { PlaceholderResolver } from './placeholder.resolver';

export type CampaignsApp = ServiceApp;
export type CampaignsContext = BaseContext & { app: CampaignsApp };

export const campaignsService: ServiceDefinition<CampaignsApp, CampaignsContext> = {
  name: 'campaigns',
  entities: [],
  migrations: [],
  createApp: () => ({}),
  context: (base, app) => ({ ...base, app }),
  schema: { resolvers: [PlaceholderResolver] },
};
