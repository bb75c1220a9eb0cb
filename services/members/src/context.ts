import DataLoader from 'dataloader';
import type { BaseContext } from '@loyalty/platform';
import type { MembersApp } from './app';
import type { MemberRow } from './members/member.entity';
import type { MerchantRow } from './merchants/merchant.entity';
import type { TierStanding } from './tiers/tier.rules';

/** Per-request context: the app, plus DataLoaders so lists and references cost one query. */
export interface MembersContext extends BaseContext {
  app: MembersApp;
  /**
   * Member tokens minted by this request for its anonymous caller (sign-up, sign-in), by member
   * id: handed to the gateway for the rest of the operation (`sessions/member-grant.plugin.ts`).
   */
  memberGrants: Map<string, string>;
  loaders: {
    member: DataLoader<string, MemberRow | null>;
    merchant: DataLoader<string, MerchantRow | null>;
    standing: DataLoader<string, TierStanding>;
  };
}

export function createContext(base: BaseContext, app: MembersApp): MembersContext {
  return {
    ...base,
    app,
    memberGrants: new Map(),
    loaders: {
      member: new DataLoader((ids) => app.members.byIds(ids)),
      merchant: new DataLoader((ids) => app.merchants.byIds(ids)),
      standing: new DataLoader((ids) => app.tiers.standings(ids)),
    },
  };
}
