import DataLoader from 'dataloader';
import type { BaseContext } from '@loyalty/platform';
import type { CatalogApp } from './app';
import { memberInfoLoader, type MemberInfo } from './peers/members.client';
import type { RedemptionRow } from './redemptions/redemption.entity';
import type { RedemptionTransitionRow } from './redemptions/transition.entity';
import type { PriceRuleRow } from './rewards/price-rule.entity';
import type { RewardRow } from './rewards/reward.entity';

export interface RewardMemberPair {
  rewardId: string;
  memberId: string;
}

const pairKey = (p: RewardMemberPair) => `${p.rewardId}/${p.memberId}`;

/** Per-request context: the app, plus DataLoaders so lists and references cost one query each. */
export interface CatalogContext extends BaseContext {
  app: CatalogApp;
  loaders: {
    reward: DataLoader<string, RewardRow | null>;
    redemption: DataLoader<string, RedemptionRow | null>;
    priceRules: DataLoader<string, PriceRuleRow[]>;
    transitions: DataLoader<string, RedemptionTransitionRow[]>;
    memberInfo: DataLoader<string, MemberInfo | null>;
    chosen: DataLoader<RewardMemberPair, boolean, string>;
    usedUnits: DataLoader<RewardMemberPair, number, string>;
  };
}

export function createContext(base: BaseContext, app: CatalogApp): CatalogContext {
  return {
    ...base,
    app,
    loaders: {
      reward: new DataLoader((ids) => app.rewardQueries.byIds(ids)),
      redemption: new DataLoader((ids) => app.redemptionQueries.byIds(ids)),
      priceRules: new DataLoader((ids) => app.rewardQueries.currentRules(ids)),
      transitions: new DataLoader((ids) => app.redemptionQueries.transitions(ids)),
      memberInfo: memberInfoLoader(app.members),
      chosen: new DataLoader((pairs) => app.rewardQueries.chosen(pairs), { cacheKeyFn: pairKey }),
      usedUnits: new DataLoader((pairs) => app.redemptionQueries.usedUnits(pairs), { cacheKeyFn: pairKey }),
    },
  };
}
