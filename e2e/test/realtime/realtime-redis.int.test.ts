import { graphqlRequest, onRedis, testConfig, tokensFor } from '@loyalty/testing';
import { RealtimeLedgerStore } from '@loyalty/testing';
import {
  Collector,
  settledSubscriptions,
  startRealtimeGraph,
  subscriptionsAtLeast,
  wsClient,
  type RealtimeGraph,
} from './support/realtime';

// Redis runs wherever REDIS_URL is set (CI sets it for both database runs).
const describeRedis = onRedis() ? describe : describe.skip;

describeRedis('realtime across processes (Redis pub/sub)', () => {
  // Two "processes": each its own gateway, members and ledger instances and its own Redis
  // transport; they share only Redis and the databases.
  const configA = testConfig({}, { redis: true });
  const configB = testConfig({}, { redis: true, sharePrefixWith: configA });
  const tokens = tokensFor(configA);
  const store = new RealtimeLedgerStore(); // the ledger's database, shared by both ledger replicas
  let a: RealtimeGraph;
  let b: RealtimeGraph;

  beforeAll(async () => {
    a = await startRealtimeGraph(configA, { store });
    b = await startRealtimeGraph(configB, { store });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('a client on gateway A sees changes written through gateway B, and resumes on B', async () => {
    const base = await settledSubscriptions(a);
    expect(a.graph.transport.kind).toBe('redis');
    expect(a.graph.transport).not.toBe(b.graph.transport);
    const reg = await graphqlRequest(
      b.url,
      'mutation { registerMember(input: { displayName: "Wang", email: "w@example.com" }) { id } }',
    );
    const memberId = reg.data!.registerMember.id as string;
    const onA = wsClient(a.wsUrl, tokens.member(memberId));
    const sub = new Collector<{
      balanceChanged: { sequence: number; delta: number; member: { displayName: string } };
    }>(onA.client, 'subscription { balanceChanged { sequence delta member { displayName } } }');
    await subscriptionsAtLeast(a, base + 1);
    for (const points of [30, 40]) {
      const res = await graphqlRequest(
        b.url,
        'mutation($m: ID!, $p: Int!) { fakeAdjust(memberId: $m, points: $p) { sequence } }',
        { m: memberId, p: points },
        tokens.admin(),
      );
      expect(res.errors).toBeUndefined();
    }
    const got = await sub.waitFor(2);
    expect(got.map((g) => g.balanceChanged)).toEqual([
      { sequence: 1, delta: 30, member: { displayName: 'Wang' } },
      { sequence: 2, delta: 40, member: { displayName: 'Wang' } },
    ]);
    expect(a.gateway.realtime.stats().eventsReceived).toBeGreaterThanOrEqual(2);
    sub.dispose();
    await onA.client.dispose();

    // Gateway A goes away; the client resumes on B from the last sequence it saw.
    await graphqlRequest(
      a.url,
      'mutation($m: ID!) { fakeAdjust(memberId: $m, points: 5) { sequence } }',
      { m: memberId },
      tokens.admin(),
    );
    const onB = wsClient(b.wsUrl, tokens.member(memberId));
    const resumed = new Collector<{ balanceChanged: { sequence: number } }>(
      onB.client,
      'subscription { balanceChanged(afterSequence: 2) { sequence } }',
    );
    await resumed.waitFor(1);
    await graphqlRequest(
      a.url,
      'mutation($m: ID!) { fakeAdjust(memberId: $m, points: 6) { sequence } }',
      { m: memberId },
      tokens.admin(),
    );
    const all = await resumed.waitFor(2);
    expect(all.map((x) => x.balanceChanged.sequence)).toEqual([3, 4]);
    resumed.dispose();
    await onB.client.dispose();
  });
});
