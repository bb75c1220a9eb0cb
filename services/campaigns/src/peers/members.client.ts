import type { ServiceClient } from '@loyalty/platform';
import {
  CampaignsLookupDocument,
  CampaignsMemberDocument,
  CampaignsMerchantDocument,
  CampaignsMerchantNamesDocument,
  type CampaignsMemberQuery,
} from './members.generated';

export interface MemberFacts {
  id: string;
  tier: string;
}

/** A member as asked for a purchase: with the moment their tier can fall by time alone. */
export interface MemberTierAnswer extends MemberFacts {
  /** When spending leaves the rolling window and the tier may fall; null: not by time alone. */
  heldUntil: Date | null;
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
  ): Promise<{ member: MemberTierAnswer | null; merchant: MerchantFacts | null }>;
  merchant(merchantId: string): Promise<MerchantFacts | null>;
  member(memberId: string): Promise<MemberTierAnswer | null>;
  /** Names in the order of `ids` (null: unknown merchant). */
  merchantNames(ids: readonly string[]): Promise<(string | null)[]>;
}

const tierAnswer = (m: CampaignsMemberQuery['member']): MemberTierAnswer | null =>
  m && { id: m.id, tier: m.tier, heldUntil: m.tierHeldUntil === null ? null : new Date(m.tierHeldUntil) };

export class RemoteMembersClient implements MembersClient {
  constructor(private readonly members: ServiceClient) {}

  async lookup(memberId: string, merchantId: string) {
    const data = await this.members.execute(CampaignsLookupDocument, { m: memberId, x: merchantId });
    return { member: tierAnswer(data.member), merchant: data.merchant };
  }

  async merchantNames(ids: readonly string[]): Promise<(string | null)[]> {
    if (!ids.length) return [];
    const data = await this.members.execute(CampaignsMerchantNamesDocument, {
      r: ids.map((id) => ({ __typename: 'Merchant', id })),
    });
    return data._entities.map((e) => (e && 'name' in e ? e.name : null));
  }

  async member(memberId: string) {
    const data = await this.members.execute(CampaignsMemberDocument, { m: memberId });
    return tierAnswer(data.member);
  }

  async merchant(merchantId: string) {
    const data = await this.members.execute(CampaignsMerchantDocument, { x: merchantId });
    return data.merchant;
  }
}
