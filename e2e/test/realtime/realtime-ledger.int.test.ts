import type { RunningService } from '@loyalty/platform';
import { contractBreakingChanges } from '@loyalty/tools';
import { graphqlRequest, testConfig } from '@loyalty/testing';
import { useGraph } from '../support/graph';
import {
  Collector,
  settledSubscriptions,
  subscriptionsAtLeast,
  wsClient,
  type WithRealtime,
} from './support/realtime';

/** The whole graph with the real ledger: short validity so expiry is seen within seconds. */
describe('realtime with the real ledger', () => {
  const clients: { dispose(): Promise<void> | void }[] = [];
  const { tokens, graph } = useGraph(
    testConfig({
      POINTS_VALIDITY: 'PT20S',
      EXPIRY_WARNING_LEADS: 'PT12S',
      EXPIRY_SWEEP_INTERVAL: 'PT1S',
    }),
    undefined,
    async () => {
      for (const c of clients) await c.dispose();
    },
  );
  let n = 0;

  const wsUrl = () => graph().url.replace(/^http/, 'ws');
  const connect = (token: string) => {
    const c = wsClient(wsUrl(), token);
    clients.push(c.client);
    return c.client;
  };
  const gql = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const res = await graphqlRequest(graph().url, query, variables, token);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  const register = async (displayName: string) =>
    (
      await gql('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', {
        i: { displayName, email: `rt-${Date.now()}-${(n += 1)}@example.com` },
      })
    ).registerMember.id as string;
  /** What a purchase does in the ledger: an EARN credit with the merchant, through the internal API. */
  const credit = async (memberId: string, points: number, merchantId?: string) => {
    const ledger = graph().services.ledger as RunningService<unknown>;
    const res = await graphqlRequest(
      ledger.url,
      'mutation($input: LedgerCreditInput!) { ledgerCredit(input: $input) { sequence } }',
      {
        input: {
          idempotencyKey: `rt-${Date.now()}-${(n += 1)}`,
          memberId,
          points,
          reason: 'Purchase at Tea House',
          merchantId,
        },
      },
      tokens.service('campaigns'),
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
  };
  const adjust = (memberId: string, points: number) =>
    gql(
      'mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { sequence } }',
      { i: { memberId, points, reason: 'Goodwill', idempotencyKey: `adj-${Date.now()}-${(n += 1)}` } },
      tokens.admin(),
    );
  const rt = () => graph() as unknown as WithRealtime;
  /** Live-only subscriptions see events from their registration on: wait for it. */
  const untilSubscribed = async (base: number, k = 1) => subscriptionsAtLeast(rt(), base + k);

  it('serves the contract’s Subscription over HTTP introspection with no breaking change', async () => {
    const changes = await contractBreakingChanges(graph().url);
    const realtime = changes.filter((c) =>
      /^(Subscription|BalanceChange|ExpiryWarning)\b/.test(c.description),
    );
    expect(realtime).toEqual([]);
  });

  it('a credit pushes balanceChanged with member.displayName and entry.merchant.name from the members subgraph', async () => {
    const base = await settledSubscriptions(rt());
    const memberId = await register('Lin Tao');
    const merchant = (
      await gql(
        'mutation { createMerchant(input: { name: "Green Grocer", category: "food" }) { id } }',
        {},
        tokens.admin(),
      )
    ).createMerchant.id as string;
    const sub = new Collector<{ balanceChanged: Record<string, unknown> }>(
      connect(tokens.member(memberId)),
      `subscription { balanceChanged { sequence delta balance kind member { displayName tier }
         entry { type points description merchant { name } } } }`,
    );
    await untilSubscribed(base);
    await credit(memberId, 88, merchant);
    const [first] = await sub.waitFor(1);
    expect(sub.errors).toEqual([]);
    expect(first.balanceChanged).toEqual({
      sequence: 1,
      delta: 88,
      balance: 88,
      kind: 'REGULAR',
      member: { displayName: 'Lin Tao', tier: 'REGULAR' },
      entry: {
        type: 'EARN',
        points: 88,
        description: 'Purchase at Tea House',
        merchant: { name: 'Green Grocer' },
      },
    });
    sub.dispose();
  });

  it('refuses another member’s stream', async () => {
    const a = await register('A');
    const b = await register('B');
    const sub = new Collector(
      connect(tokens.member(a)),
      'subscription($m: ID) { pointsExpiring(memberId: $m) { points } }',
      {
        m: b,
      },
    );
    expect((await sub.waitForError())[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('resumes: disconnect, 5 changes, reconnect with afterSequence → exactly those 5, in order, then live', async () => {
    const base = await settledSubscriptions(rt());
    const memberId = await register('Resume');
    const token = tokens.member(memberId);
    const query =
      'subscription($a: Int) { balanceChanged(afterSequence: $a) { sequence delta entry { type } } }';
    const client = connect(token);
    const first = new Collector<{ balanceChanged: { sequence: number; delta: number } }>(client, query);
    await untilSubscribed(base);
    await adjust(memberId, 10);
    const [seen] = await first.waitFor(1);
    first.dispose();
    await client.dispose();
    for (let i = 1; i <= 5; i++) await adjust(memberId, i);
    const again = new Collector<{ balanceChanged: { sequence: number; delta: number } }>(
      connect(token),
      query,
      {
        a: seen.balanceChanged.sequence,
      },
    );
    const replayed = await again.waitFor(5);
    expect(replayed.map((x) => x.balanceChanged)).toEqual(
      [1, 2, 3, 4, 5].map((d, i) => ({
        sequence: seen.balanceChanged.sequence + 1 + i,
        delta: d,
        entry: { type: 'ADJUST' },
      })),
    );
    await adjust(memberId, 6);
    await again.waitFor(6);
    await adjust(memberId, 7); // a marker: a duplicate would arrive before it
    const all = await again.waitFor(7);
    expect(all.map((x) => x.balanceChanged.sequence)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    again.dispose();
  });

  it('pushes the expiry warning, then the EXPIRE balance change, within seconds', async () => {
    const base = await settledSubscriptions(rt());
    const memberId = await register('Expiring');
    const client = connect(tokens.member(memberId));
    const warnings = new Collector<{ pointsExpiring: Record<string, unknown> }>(
      client,
      'subscription { pointsExpiring { points daysLeft kind expiresAt member { displayName } } }',
    );
    const changes = new Collector<{
      balanceChanged: { delta: number; balance: number; entry: { type: string } };
    }>(client, 'subscription { balanceChanged { delta balance entry { type } } }');
    await untilSubscribed(base, 2);
    const credited = Date.now();
    await credit(memberId, 50);
    const [warning] = await warnings.waitFor(1, 20_000);
    expect(warning.pointsExpiring).toMatchObject({
      points: 50,
      daysLeft: 0,
      kind: 'REGULAR',
      member: { displayName: 'Expiring' },
    });
    const warnedAfter = Date.now() - credited;
    expect(warnedAfter).toBeGreaterThanOrEqual(6_000); // lead 12 s before a 20 s validity
    const all = await changes.waitFor(2, 25_000);
    expect(all.map((c) => c.balanceChanged)).toEqual([
      { delta: 50, balance: 50, entry: { type: 'EARN' } },
      { delta: -50, balance: 0, entry: { type: 'EXPIRE' } },
    ]);
    expect(Date.now() - credited).toBeGreaterThanOrEqual(19_000);
    warnings.dispose();
    changes.dispose();
  }, 60_000);
});
