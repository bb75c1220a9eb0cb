import { ErrorCode, type ServiceClient } from '@loyalty/platform';

/** What the ledger asks the members subgraph: whether a member exists. */
export interface MembersClient {
  /** True when the members service knows the member (false for an unknown id). */
  exists(memberId: string): Promise<boolean>;
}

const MEMBER_EXISTS = 'query LedgerMemberExists($id: ID!) { member(id: $id) { id } }';

/** Asks the members subgraph with the ledger's service token. */
export class RemoteMembersClient implements MembersClient {
  constructor(private readonly client: Pick<ServiceClient, 'request'>) {}

  async exists(memberId: string): Promise<boolean> {
    try {
      const data = await this.client.request<{ member: { id: string } | null }>(MEMBER_EXISTS, {
        id: memberId,
      });
      return Boolean(data.member);
    } catch (error) {
      // The members service answers an unknown id with NOT_FOUND rather than null.
      if ((error as { code?: string }).code !== ErrorCode.NOT_FOUND) throw error;
      return false;
    }
  }
}
