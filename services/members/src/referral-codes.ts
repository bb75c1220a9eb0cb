import { BadInputError, type ServiceClient } from '@loyalty/platform';
import type { ReferralCodeChecker } from './members/member.service';

/** Asks the referrals subgraph (internal, service-only query) whether a code exists. */
export class RemoteReferralCodeChecker implements ReferralCodeChecker {
  constructor(private readonly referrals: ServiceClient) {}

  async check(code: string): Promise<void> {
    const data = await this.referrals.request<{ referralCodeOwner: string | null }>(
      'query ReferralCodeOwner($code: String!) { referralCodeOwner(code: $code) }',
      { code },
    );
    if (!data.referralCodeOwner) throw new BadInputError(`Unknown referral code ${code}`, 'referralCode');
  }
}
