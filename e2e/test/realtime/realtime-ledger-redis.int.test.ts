import { startGraph, type RunningGraph } from '@loyalty/launcher';
import { graphqlRequest, onRedis, testConfig, tokensFor } from '@loyalty/testing';
import {
  Collector,
  settledSubscriptions,
  subscriptionsAtLeast,
  wsClient,
  type WithRealtime,
} from './support/realtime';

// Redis runs wherever REDIS_URL is set (CI sets it for both database runs).
const describeRedis = onRedis() ? describe : describe.skip;

describeRedis('realtime across two gateway and two ledger processes (Redis)', () => {
  // Two "processes": each runs its own gateway, ledger and other subgraphs with its own Redis
  // transport; they share only Redis and the databases.
  const configA = testConfig({}, { redis: true });
  const configB = testConfig({}, { redis: true, sharePrefixWith: configA });
  const tokens = tokensFor(configA);
  let a: RunningGraph;
  let b: RunningGraph;

  beforeAll(async () => {
    a = await startGraph({ config: configA, ephemeralPorts: true });
    b = await startGraph({ config: configB, ephemeralPorts: true });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('a client on gateway A sees changes written through gateway B', async () => {
    expect(a.transport.kind).toBe('redis');
    expect(a.services.ledger).not.toBe(b.services.ledger);
    const reg = await graphqlRequest(
      b.url,
      'mutation { registerMember(input: { displayName: "Zhao", email: "zhao@example.com" }) { id } }',
    );
    const memberId = reg.data!.registerMember.id as string;
    const base = await settledSubscriptions(a as unknown as WithRealtime);
    const onA = wsClient(a.url.replace(/^http/, 'ws'), tokens.member(memberId));
    const sub = new Collector<{
      balanceChanged: { sequence: number; delta: number; member: { displayName: string } };
    }>(onA.client, 'subscription { balanceChanged { sequence delta member { displayName } } }');
    await subscriptionsAtLeast(a as unknown as WithRealtime, base + 1);
    for (const points of [30, 40]) {
      const res = await graphqlRequest(
        b.url,
        'mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { sequence } }',
        { i: { memberId, points, reason: 'Goodwill', idempotencyKey: `redis-${points}` } },
        tokens.admin(),
      );
      expect(res.errors).toBeUndefined();
    }
    const got = await sub.waitFor(2, 15_000);
    expect(got.map((g) => g.balanceChanged)).toEqual([
      { sequence: 1, delta: 30, member: { displayName: 'Zhao' } },
      { sequence: 2, delta: 40, member: { displayName: 'Zhao' } },
    ]);
    sub.dispose();
    await onA.client.dispose();
  });
});
