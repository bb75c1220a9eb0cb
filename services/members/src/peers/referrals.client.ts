import type { ServiceClient } from '@loyalty/platform';
import { ReferralCodeOwnerDocument } from './referrals.generated';

/** What the members service asks the referrals service. */
export interface ReferralsClient {
  /** The member owning a referral code, or null for an unknown code. */
  referralCodeOwner(code: string): Promise<string | null>;
}

/** The referrals subgraph's internal, service-only queries. */
export class RemoteReferralsClient implements ReferralsClient {
  constructor(private readonly referrals: ServiceClient) {}

  async referralCodeOwner(code: string): Promise<string | null> {
    const data = await this.referrals.execute(ReferralCodeOwnerDocument, { code });
    return data.referralCodeOwner;
  }
}
