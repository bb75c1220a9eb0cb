import DataLoader from 'dataloader';
import type { ServiceClient } from '@loyalty/platform';
import {
  ConsumeMemberCodeDocument,
  MemberTiersDocument,
  MerchantExistsDocument,
  ReleaseMemberCodeDocument,
} from './members.generated';

export interface MemberInfo {
  id: string;
  tier: string;
}

/** Reads members' tiers from the members subgraph (eligibility, C4). */
export interface MembersClient {
  /** One call for any number of ids; null for unknown members. */
  tiers(ids: readonly string[]): Promise<(MemberInfo | null)[]>;
  merchantExists(id: string): Promise<boolean>;
  /**
   * Consumes `memberId`'s one-time consent code for `usedFor` (atomic: once, even under
   * concurrent redemptions; a replay with the same `usedFor` is true again). False for a code
   * that is wrong, expired, used, or another member's.
   */
  consumeMemberCode(code: string, memberId: string, usedFor: string): Promise<boolean>;
  /** Gives back a code that `usedFor` consumed, when that redemption was refused after all. */
  releaseMemberCode(code: string, memberId: string, usedFor: string): Promise<boolean>;
}

/** Batches lookups into one internal request: the members subgraph's entity resolver. */
export class RemoteMembersClient implements MembersClient {
  constructor(private readonly client: ServiceClient) {}

  async tiers(ids: readonly string[]): Promise<(MemberInfo | null)[]> {
    if (ids.length === 0) return [];
    const representations = ids.map((id) => ({ __typename: 'Member', id }));
    const data = await this.client.execute(MemberTiersDocument, { representations });
    // _entities answers in the order asked, null for an unknown member.
    return data._entities.map((m) => (m && 'tier' in m ? { id: m.id, tier: m.tier } : null));
  }

  async merchantExists(id: string): Promise<boolean> {
    const data = await this.client.execute(MerchantExistsDocument, { id });
    return data.merchant !== null;
  }

  async consumeMemberCode(code: string, memberId: string, usedFor: string): Promise<boolean> {
    const data = await this.client.execute(ConsumeMemberCodeDocument, { code, memberId, usedFor });
    return data.consumeMemberCode;
  }

  async releaseMemberCode(code: string, memberId: string, usedFor: string): Promise<boolean> {
    const data = await this.client.execute(ReleaseMemberCodeDocument, { code, memberId, usedFor });
    return data.releaseMemberCode;
  }
}

/** A per-request loader over the members client. */
export function memberInfoLoader(members: MembersClient): DataLoader<string, MemberInfo | null> {
  return new DataLoader((ids) => members.tiers(ids), { maxBatchSize: 100 });
}
