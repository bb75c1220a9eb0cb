import { ServiceUnavailableError } from '@loyalty/platform';
import type { MembersClient } from '../../src/peers/members.client';

/**
 * Campaigns' members client where every member and merchant exists (REGULAR members, dining
 * places). Set `state.up` to false and every call fails as an unreachable members service would.
 */
export function fakeMembers(): { client: MembersClient; state: { up: boolean } } {
  const state = { up: true };
  const guard = () => {
    if (!state.up) throw new ServiceUnavailableError('The members service is unavailable; try again');
  };
  const client: MembersClient = {
    lookup: async (memberId, merchantId) => {
      guard();
      return {
        member: { id: memberId, tier: 'REGULAR', heldUntil: null },
        merchant: { id: merchantId, category: 'dining' },
      };
    },
    merchant: async (id) => (guard(), { id, category: 'dining' }),
    member: async (id) => (guard(), { id, tier: 'REGULAR', heldUntil: null }),
    merchantNames: async (ids) => (guard(), ids.map(() => 'Dining place')),
  };
  return { client, state };
}
