import { randomUUID } from 'node:crypto';
import { InProcessTransport } from '@loyalty/platform';
import {
  graphqlRequest,
  startRealtimeFakeLedger,
  testConfig,
  tokensFor,
  type RealtimeFakeLedger,
} from '@loyalty/testing';

// The stand-in ledger the realtime benchmark runs on: with `entities`, entries are entities with
// their merchant (as the real ledger serves them), readable by their own member only.
describe('realtime fake ledger with entities', () => {
  const config = testConfig();
  const tokens = tokensFor(config);
  const ledgers: RealtimeFakeLedger[] = [];
  afterAll(async () => {
    for (const l of ledgers) await l.stop();
  });
  const ENTRIES = `query($r: [_Any!]!) { _entities(representations: $r) {
    ... on LedgerEntry { type description sequence merchant { __typename id } } } }`;

  it('serves a LedgerEntry by id with its merchant, to its own member only', async () => {
    const ledger = await startRealtimeFakeLedger({
      transport: new InProcessTransport(),
      config,
      entities: true,
    });
    ledgers.push(ledger);
    const memberId = randomUUID();
    const merchantId = randomUUID();
    const entry = ledger.store.append(memberId, 5, { type: 'EARN', description: 'Purchase', merchantId });
    const r = [{ __typename: 'LedgerEntry', id: entry.id }];

    const own = await graphqlRequest(ledger.url, ENTRIES, { r }, tokens.member(memberId));
    expect(own.errors).toBeUndefined();
    expect(own.data?._entities).toEqual([
      {
        type: 'EARN',
        description: 'Purchase',
        sequence: 1,
        merchant: { __typename: 'Merchant', id: merchantId },
      },
    ]);
    const other = await graphqlRequest(ledger.url, ENTRIES, { r }, tokens.member(randomUUID()));
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('without entities, LedgerEntry is a plain value type', async () => {
    const ledger = await startRealtimeFakeLedger({ transport: new InProcessTransport(), config });
    ledgers.push(ledger);
    const entry = ledger.store.append(randomUUID(), 5);
    const res = await graphqlRequest(
      ledger.url,
      ENTRIES,
      { r: [{ __typename: 'LedgerEntry', id: entry.id }] },
      tokens.admin(),
    );
    expect(res.errors?.length).toBeGreaterThan(0);
  });
});
