import type { BaseContext, ServiceApp, ServiceDefinition } from '@loyalty/platform';
import { PlaceholderResolver } from './placeholder.resolver';

export type ReferralsApp = ServiceApp;
export type ReferralsContext = BaseContext & { app: ReferralsApp };

export const referralsService: ServiceDefinition<ReferralsApp, ReferralsContext> = {
  name: 'referrals',
  entities: [],
  migrations: [],
  createApp: () => ({}),
  context: (base, app) => ({ ...base, app }),
  schema: { resolvers: [PlaceholderResolver] },
};
