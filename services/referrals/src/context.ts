import DataLoader from 'dataloader';
import type { BaseContext } from '@loyalty/platform';
import type { ReferralsApp } from './app';
import type { ReferralCodeRow } from './codes/referral-code.entity';
import type { ReferralGrantRow } from './grants/grant.entity';
import type { ReferralRow } from './referrals/referral.entity';

/** Per-request context: the app, plus DataLoaders so lists and references cost one query each. */
export interface ReferralsContext extends BaseContext {
  app: ReferralsApp;
  loaders: {
    /** A member's code, generated on demand when missing. */
    code: DataLoader<string, ReferralCodeRow | null>;
    referral: DataLoader<string, ReferralRow | null>;
    referralsByInviter: DataLoader<string, ReferralRow[]>;
    referralByInvitee: DataLoader<string, ReferralRow | null>;
    grantsByReferral: DataLoader<string, ReferralGrantRow[]>;
  };
}

export function createContext(base: BaseContext, app: ReferralsApp): ReferralsContext {
  return {
    ...base,
    app,
    loaders: {
      code: new DataLoader((ids) => app.codes.codesFor(ids)),
      referral: new DataLoader((ids) => app.queries.byIds(ids)),
      referralsByInviter: new DataLoader((ids) => app.queries.byInviterIds(ids)),
      referralByInvitee: new DataLoader((ids) => app.queries.byInviteeIds(ids)),
      grantsByReferral: new DataLoader((ids) => app.queries.grantsByReferralIds(ids)),
    },
  };
}
