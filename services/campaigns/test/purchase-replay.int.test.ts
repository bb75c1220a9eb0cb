import { startService, type RunningService } from '@loyalty/platform';
import { FakeLedger, graphqlRequest, testConfig, tokensFor } from '@loyalty/testing';
import { campaignsService } from '../src';
import { createApp, type CampaignsApp } from '../src/app';
import { campaignsLedger } from './support/ledger';
import { fakeMembers } from './support/members';

const RECORD = `mutation($input: PurchaseInput!) { recordPurchase(input: $input) { purchase { id amount } awards { kind points status } } }`;

/**
 * A purchase is not looked up by its order id before it is recorded: the unique order id stops a
 * retry inside the transaction. These are the retries that never reach it — the members service
 * unreachable and a fresh process that has not kept the member's or merchant's facts.
 */
describe('recordPurchase retries (campaigns alone, real database)', () => {
  const config = testConfig();
  const tokens = tokensFor(config);
  const merchantId = '00000000-0000-4000-8000-00000000a001';
  const partner = tokens.partner(merchantId);
  const members = fakeMembers();
  const ledger = new FakeLedger();
  let service: RunningService<CampaignsApp> | null = null;
  const start = async () => {
    service = await startService(
      {
        ...campaignsService,
        createApp: (runtime) =>
          createApp(runtime, { ledger: campaignsLedger(ledger), members: members.client }),
      },
      { config, port: 0 },
    );
    return service;
  };
  afterEach(async () => {
    await service?.stop();
    service = null;
    members.state.up = true;
  });

  const record = (url: string, orderId: string, amount: number) =>
    graphqlRequest(
      url,
      RECORD,
      { input: { merchantId, memberId: '00000000-0000-4000-8000-00000000b001', orderId, amount } },
      partner,
    );

  it('answers a retry as the first time while members is unreachable, refuses a new order, writes nothing', async () => {
    const first = await record((await start()).url, 'R-1', 5_000);
    expect(first.errors).toBeUndefined();
    const recorded = first.data!.recordPurchase as { purchase: { id: string }; awards: unknown[] };
    expect(recorded.awards.length).toBeGreaterThan(0);
    await service!.stop();

    // A new process keeps nothing of the member or merchant, and members does not answer.
    members.state.up = false;
    const { url } = await start();
    const retried = await record(url, 'R-1', 5_000);
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.recordPurchase).toEqual(recorded);
    // The same order with another amount is a conflict, not an outage.
    const conflicting = await record(url, 'R-1', 6_000);
    expect(conflicting.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    // A new order needs the member's tier: refused, and nothing of it is kept.
    const credits = ledger.entries.length;
    const refused = await record(url, 'R-2', 5_000);
    expect(refused.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    const lookup = await graphqlRequest(
      url,
      'query($m: ID!, $o: String!) { purchase(merchantId: $m, orderId: $o) { id } }',
      { m: merchantId, o: 'R-2' },
      partner,
    );
    expect(lookup.errors).toBeUndefined();
    expect(lookup.data!.purchase).toBeNull();
    expect(ledger.entries.length).toBe(credits);

    members.state.up = true;
    const later = await record(url, 'R-2', 5_000);
    expect(later.errors).toBeUndefined();
    expect((later.data!.recordPurchase as { purchase: { id: string } }).purchase.id).not.toBe(
      recorded.purchase.id,
    );
    expect(ledger.entries.length).toBeGreaterThan(credits);
  });
});
