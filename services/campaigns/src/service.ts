import type { ServiceDefinition } from '@loyalty/platform';
import { createApp, type CampaignsApp } from './app';
import { CampaignRow, CampaignUsageRow } from './campaigns/campaign.entity';
import { resolveCampaignReference } from './campaigns/campaign.reference';
import { CampaignResolver } from './campaigns/campaign.resolver';
import { createContext, type CampaignsContext } from './context';
import { campaignsEntityPolicy } from './policy';
import { resolveMemberReference } from './members/member.reference';
import { CreateCampaigns1700000004000 } from './migrations/1700000004000-CreateCampaigns';
import { CampaignPointKind1700000004100 } from './migrations/1700000004100-CampaignPointKind';
import { WideAwardedPoints1700000004200 } from './migrations/1700000004200-WideAwardedPoints';
import { PostingRow, SignUpGrantRow } from './postings/posting.entity';
import {
  AwardRow,
  MemberActivityRow,
  PurchaseRow,
  RefundRow,
  ReversalRow,
} from './purchases/purchase.entity';
import { resolvePurchaseReference } from './purchases/purchase.reference';
import { MemberPurchasesResolver, PointAwardResolver, PurchaseResolver } from './purchases/purchase.resolver';
import { EarnRateRow } from './rates/earn-rate.entity';
import { EarnRateResolver } from './rates/earn-rate.resolver';
import { RecallResolver } from './recall/recall.resolver';
import { TermsResolver } from './terms/terms.resolver';
import { ValidityChangeRow } from './terms/validity-change.entity';

export type { CampaignsApp };
export type { CampaignsContext };

/** Earn rules, campaigns, purchases and refunds, programme terms: REQUIREMENTS R1–R10, L6, L7. */
export const campaignsService: ServiceDefinition<CampaignsApp, CampaignsContext> = {
  name: 'campaigns',
  entities: [
    CampaignRow,
    CampaignUsageRow,
    EarnRateRow,
    PurchaseRow,
    AwardRow,
    MemberActivityRow,
    RefundRow,
    ReversalRow,
    PostingRow,
    SignUpGrantRow,
    ValidityChangeRow,
  ],
  migrations: [CreateCampaigns1700000004000, CampaignPointKind1700000004100, WideAwardedPoints1700000004200],
  createApp: (runtime) => createApp(runtime),
  context: createContext,
  schema: {
    resolvers: [
      CampaignResolver,
      PurchaseResolver,
      PointAwardResolver,
      MemberPurchasesResolver,
      TermsResolver,
      EarnRateResolver,
      RecallResolver,
    ],
    references: {
      Member: resolveMemberReference,
      Campaign: resolveCampaignReference,
      Purchase: resolvePurchaseReference,
    },
    entityPolicy: campaignsEntityPolicy,
  },
};
