import { ErrorCode, type ServiceClient } from '@loyalty/platform';
import { LedgerMemberExistsDocument, LedgerMerchantNamesDocument } from './members.generated';

/** What the ledger asks the members subgraph: whether a member exists. */
export interface MembersClient {
  /** True when the members service knows the member (false for an unknown id). */
  exists(memberId: string): Promise<boolean>;
  /** Merchants' names in one call, in the order asked; null for an unknown merchant. */
  merchantNames(ids: readonly string[]): Promise<(string | null)[]>;
}

/** Asks the members subgraph with the ledger's service token. */
export class RemoteMembersClient implements MembersClient {
  constructor(private readonly client: Pick<ServiceClient, 'execute'>) {}

  async exists(memberId: string): Promise<boolean> {
    try {
      const data = await this.client.execute(LedgerMemberExistsDocument, { id: memberId });
      return Boolean(data.member);
    } catch (error) {
      // The members service answers an unknown id with NOT_FOUND rather than null.
      if ((error as { code?: string }).code !== ErrorCode.NOT_FOUND) throw error;
      return false;
    }
  }

  async merchantNames(ids: readonly string[]): Promise<(string | null)[]> {
    const representations = ids.map((id) => ({ __typename: 'Merchant', id }));
    const data = await this.client.execute(LedgerMerchantNamesDocument, { representations });
    return data._entities.map((m) => (m && 'name' in m ? m.name : null));
  }
}
