import type { FakeLedger } from '@loyalty/testing';
import type { LedgerClient } from '../../src/peers/ledger.client';

/**
 * Campaigns' ledger client over the shared in-memory ledger, which can be down or apply a call
 * and lose the answer (the worst case for doubling). Nobody's points expire here.
 */
export function campaignsLedger(fake: FakeLedger): LedgerClient {
  return {
    credit: (request) => fake.credit(request),
    // As the real ledger: each credit on its own key; one failure fails the call.
    creditBatch: async (requests) => {
      const results = [];
      for (const request of requests) results.push(await fake.credit(request));
      return results;
    },
    reverse: (request) => fake.reverse(request),
    expiringPoints: async (memberIds) => memberIds.map(() => []),
  };
}
