import DataLoader from 'dataloader';
import type { ServiceClient } from '@loyalty/platform';

export interface MemberInfo {
  id: string;
  tier: string;
}

/** Reads members' tiers from the members subgraph (eligibility, C4). */
export interface MembersClient {
  /** One call for any number of ids; null for unknown members. */
  tiers(ids: readonly string[]): Promise<(MemberInfo | null)[]>;
  merchantExists(id: string): Promise<boolean>;
}

/** Batches lookups into one internal request with one aliased field per member. */
export class RemoteMembersClient implements MembersClient {
  constructor(private readonly client: ServiceClient) {}

  async tiers(ids: readonly string[]): Promise<(MemberInfo | null)[]> {
    if (ids.length === 0) return [];
    const vars = ids.map((_, i) => `$id${i}: ID!`).join(', ');
    const fields = ids.map((_, i) => `m${i}: member(id: $id${i}) { id tier }`).join(' ');
    const variables = Object.fromEntries(ids.map((id, i) => [`id${i}`, id]));
    const data = await this.client.request<Record<string, MemberInfo | null>>(
      `query Tiers(${vars}) { ${fields} }`,
      variables,
    );
    return ids.map((_, i) => data[`m${i}`] ?? null);
  }

  async merchantExists(id: string): Promise<boolean> {
    const data = await this.client.request<{ merchant: { id: string } | null }>(
      'query M($id: ID!) { merchant(id: $id) { id } }',
      { id },
    );
    return data.merchant !== null;
  }
}

/** A per-request loader over the members client. */
export function memberInfoLoader(members: MembersClient): DataLoader<string, MemberInfo | null> {
  return new DataLoader((ids) => members.tiers(ids), { maxBatchSize: 100 });
}
