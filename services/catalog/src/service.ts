import { RedemptionStatusChange } from './redemptions/redemption-status-change.type';
import type { ServiceDefinition } from '@loyalty/platform';
import { createApp, type CatalogApp } from './app';
import { createContext, type CatalogContext } from './context';
import { catalogEntityPolicy } from './policy';
import { resolveMemberReference } from './members/member.reference';
import { MemberResolver } from './members/member.resolver';
import { CreateCatalog1700000003000 } from './migrations/1700000003000-CreateCatalog';
import { RefusalsAndCash1700000003100 } from './migrations/1700000003100-RefusalsAndCash';
import { RedemptionRefusalRow } from './redemptions/refusal.entity';
import { RedemptionRow } from './redemptions/redemption.entity';
import { resolveRedemptionReference } from './redemptions/redemption.reference';
import { RedemptionResolver } from './redemptions/redemption.resolver';
import { RedemptionTransitionRow } from './redemptions/transition.entity';
import { PriceRuleRow } from './rewards/price-rule.entity';
import { RewardAudienceRow } from './rewards/reward-audience.entity';
import { RewardRow } from './rewards/reward.entity';
import { resolveRewardReference } from './rewards/reward.reference';
import { RewardResolver } from './rewards/reward.resolver';

export type { CatalogApp, CatalogContext };

/** Rewards, prices, eligibility, stock and the redemption saga: REQUIREMENTS C1–C7, L10. */
export const catalogService: ServiceDefinition<CatalogApp, CatalogContext> = {
  name: 'catalog',
  entities: [
    RewardRow,
    PriceRuleRow,
    RewardAudienceRow,
    RedemptionRow,
    RedemptionTransitionRow,
    RedemptionRefusalRow,
  ],
  migrations: [CreateCatalog1700000003000, RefusalsAndCash1700000003100],
  createApp: (runtime) => createApp(runtime),
  context: createContext,
  schema: {
    resolvers: [RewardResolver, RedemptionResolver, MemberResolver],
    orphanedTypes: [RedemptionStatusChange],
    references: {
      Member: resolveMemberReference,
      Reward: resolveRewardReference,
      Redemption: resolveRedemptionReference,
    },
    entityPolicy: catalogEntityPolicy,
  },
};
