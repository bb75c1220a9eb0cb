import { RemoteLedgerClient } from '@loyalty/campaigns';
import { creditContract, gatewayCreditSubject, gatewayLedger } from '@loyalty/testing';
import { useGraph } from '../support/graph';

/**
 * Campaigns' own RemoteLedgerClient against the real ledger subgraph, held to the credit contract
 * the in-memory ledger is held to (packages/testing/test/fake-ledger.contract.test.ts).
 */
const { tokens, graph } = useGraph();

creditContract("campaigns' RemoteLedgerClient and the real ledger", () => {
  const client = new RemoteLedgerClient(graph().services.campaigns!.runtime.client('ledger'));
  const trail = { kind: 'REGULAR', sourceType: 'purchase', merchantId: null } as const;
  return gatewayCreditSubject(gatewayLedger(graph().url, tokens), {
    credit: (c) => client.credit({ ...c, ...trail, campaignId: null, validity: null }),
    reverse: (c) => client.reverse({ ...c, ...trail }),
  });
});

describe("campaigns' batched credits (ledgerCreditBatch) on the real ledger", () => {
  const credit = (memberId: string, idempotencyKey: string, points: number) => ({
    idempotencyKey,
    memberId,
    kind: 'REGULAR' as const,
    points,
    reason: 'Batched',
    merchantId: null,
    campaignId: null,
    sourceType: 'purchase',
    sourceId: idempotencyKey,
    validity: null,
  });

  it('answers in order, each credit on its own key; a repeat writes nothing', async () => {
    const client = new RemoteLedgerClient(graph().services.campaigns!.runtime.client('ledger'));
    const ledger = gatewayLedger(graph().url, tokens);
    const [a, b] = [await ledger.register('Batch A'), await ledger.register('Batch B')];
    const batch = [
      credit(a, `batch-${a}-1`, 10),
      credit(b, `batch-${b}-1`, 20),
      credit(a, `batch-${a}-2`, 5),
    ];
    const first = await client.creditBatch(batch);
    expect(new Set(first.map((r) => r.entryId)).size).toBe(3);
    expect(await ledger.balance(a)).toBe(15);
    expect(await ledger.balance(b)).toBe(20);
    // The same batch again (a lost answer, retried): the same entries, no new points.
    expect((await client.creditBatch(batch)).map((r) => r.entryId)).toEqual(first.map((r) => r.entryId));
    // One of them alone, as the poster's fallback would send it: the same entry.
    expect((await client.credit(batch[1])).entryId).toBe(first[1].entryId);
    expect(await ledger.balance(a)).toBe(15);
    expect(await ledger.balance(b)).toBe(20);
  });

  it('fails the call when one credit is refused; the others stand on their own keys', async () => {
    const client = new RemoteLedgerClient(graph().services.campaigns!.runtime.client('ledger'));
    const ledger = gatewayLedger(graph().url, tokens);
    const a = await ledger.register('Batch C');
    await expect(
      client.creditBatch([credit(a, `batch-${a}-ok`, 7), credit(a, `batch-${a}-bad`, 0)]),
    ).rejects.toThrow();
    expect(await ledger.balance(a)).toBe(7);
  });
});
