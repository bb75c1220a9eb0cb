import DataLoader from 'dataloader';
import type { BaseContext } from '@loyalty/platform';
import type { CampaignsApp } from './app';
import type { CampaignRow } from './campaigns/campaign.entity';
import type { PurchaseRow } from './purchases/purchase.entity';
import type { AwardView } from './purchases/purchase.queries';

/** Per-request context: the app, plus DataLoaders so lists and references cost one query each. */
export interface CampaignsContext extends BaseContext {
  app: CampaignsApp;
  loaders: {
    campaign: DataLoader<string, CampaignRow | null>;
    purchase: DataLoader<string, PurchaseRow | null>;
    awards: DataLoader<string, AwardView[]>;
    merchantName: DataLoader<string, string | null>;
  };
}

export function createContext(base: BaseContext, app: CampaignsApp): CampaignsContext {
  return {
    ...base,
    app,
    loaders: {
      campaign: new DataLoader((ids) => app.campaigns.byIds(ids)),
      purchase: new DataLoader((ids) => app.purchaseQueries.byIds(ids)),
      awards: new DataLoader((ids) => app.purchaseQueries.awardsOf(ids)),
      merchantName: new DataLoader((ids) => app.merchantNames(ids)),
    },
  };
}
