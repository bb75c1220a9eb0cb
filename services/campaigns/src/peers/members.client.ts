import type { ServiceClient } from '@loyalty/platform';
import { CampaignsLookupDocument, CampaignsMerchantDocument } from './members.generated';

export interface MemberFacts {
  id: string;
  tier: string;
}

export interface MerchantFacts {
  id: string;
  category: string;
}

/** Members and merchants are owned by the members subgraph: campaigns asks it, never copies. */
export interface MembersClient {
  lookup(
    memberId: string,
    merchantId: string,
  ): Promise<{ member: MemberFacts | null; merchant: MerchantFacts | null }>;
  merchant(merchantId: string): Promise<MerchantFacts | null>;
}

export class RemoteMembersClient implements MembersClient {
  constructor(private readonly members: ServiceClient) {}

  async lookup(memberId: string, merchantId: string) {
    const data = await this.members.execute(CampaignsLookupDocument, { m: memberId, x: merchantId });
    return { member: data.member, merchant: data.merchant };
  }

  async merchant(merchantId: string) {
    const data = await this.members.execute(CampaignsMerchantDocument, { x: merchantId });
    return data.merchant;
  }
}
