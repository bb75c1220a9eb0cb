import {
  buildSchema,
  findBreakingChanges,
  getIntrospectionQuery,
  buildClientSchema,
  type IntrospectionQuery,
} from 'graphql';
import { readFileSync } from 'node:fs';
import { CONTRACT_PATH } from '@loyalty/tools';
import { graphqlRequest, testConfig, tokensFor } from '@loyalty/testing';
import { balanceChangedEvent } from '@loyalty/testing';
import {
  Collector,
  settledSubscriptions,
  startRealtimeGraph,
  subscriptionsAtLeast,
  subscriptionsAtMost,
  wsClient,
  type RealtimeGraph,
} from './support/realtime';

const REGISTER = `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id displayName } }`;

const BALANCE = `subscription($memberId: ID, $after: Int) {
  balanceChanged(memberId: $memberId, afterSequence: $after) {
    sequence delta balance kind
    member { id displayName tier }
    entry { type description balanceAfter }
  }
}`;

interface Change {
  balanceChanged: {
    sequence: number;
    delta: number;
    balance: number;
    member: { id: string; displayName: string };
    entry: { type: string; description: string };
  };
}

describe('realtime subscriptions at the gateway', () => {
  const config = testConfig();
  const tokens = tokensFor(config);
  let rt: RealtimeGraph;
  const clients: { dispose(): Promise<void> | void }[] = [];

  beforeAll(async () => {
    rt = await startRealtimeGraph(config);
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await rt?.stop();
  });
  // Each test ends its subscriptions; the gateway ends them asynchronously. The next test counts
  // its own from zero, so none of them may still be closing when it starts.
  afterEach(() => subscriptionsAtMost(rt, 0));

  const register = async (displayName: string) => {
    const res = await graphqlRequest(rt.url, REGISTER, {
      input: { displayName, email: `${displayName.replace(/\W/g, '')}${Date.now()}@example.com` },
    });
    expect(res.errors).toBeUndefined();
    return res.data!.registerMember as { id: string; displayName: string };
  };
  const connect = (token?: string) => {
    const c = wsClient(rt.wsUrl, token);
    clients.push(c.client);
    return c;
  };

  it('shows Subscription in HTTP introspection, compatible with the contract', async () => {
    const res = await graphqlRequest<IntrospectionQuery>(rt.url, getIntrospectionQuery());
    expect(res.errors).toBeUndefined();
    const served = buildClientSchema(res.data!);
    const fields = served.getSubscriptionType()?.getFields() ?? {};
    expect(Object.keys(fields)).toEqual(expect.arrayContaining(['balanceChanged', 'pointsExpiring']));
    const contract = buildSchema(readFileSync(CONTRACT_PATH, 'utf8'));
    const subscriptionBreaks = findBreakingChanges(contract, served).filter((c) =>
      /^(Subscription|BalanceChange|ExpiryWarning)\b/.test(c.description),
    );
    expect(subscriptionBreaks).toEqual([]);
    // Queries still run through the federated gateway, and subscriptions over HTTP are refused.
    const viaHttp = await graphqlRequest(
      rt.url,
      'subscription { pointsExpiring { points } }',
      {},
      tokens.admin(),
    );
    expect(viaHttp.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('pushes a balance change whose member.displayName comes from the members subgraph', async () => {
    const base = await settledSubscriptions(rt);
    const m = await register('Han Meimei');
    const { client } = connect(tokens.member(m.id));
    const sub = new Collector<Change>(client, BALANCE);
    await subscriptionsAtLeast(rt, base + 1);
    await rt.ledger.change(m.id, 120, { description: 'Purchase at Tea House' });
    const [first] = await sub.waitFor(1);
    expect(sub.errors).toEqual([]);
    expect(first.balanceChanged).toEqual({
      sequence: 1,
      delta: 120,
      balance: 120,
      kind: 'REGULAR',
      member: { id: m.id, displayName: 'Han Meimei', tier: 'REGULAR' },
      entry: { type: 'ADJUST', description: 'Purchase at Tea House', balanceAfter: 120 },
    });
    sub.dispose();
  });

  it('keeps aliases, fragments and variables of the client selection', async () => {
    const base = await settledSubscriptions(rt);
    const m = await register('Alias Fan');
    const { client } = connect(tokens.member(m.id));
    const sub = new Collector(
      client,
      `subscription($withEntry: Boolean!) { live: balanceChanged { n: sequence ...M entry @include(if: $withEntry) { type } } }
       fragment M on BalanceChange { who: member { name: displayName } }`,
      { withEntry: false },
    );
    await subscriptionsAtLeast(rt, base + 1);
    await rt.ledger.change(m.id, 5);
    expect((await sub.waitFor(1))[0]).toEqual({ live: { n: 1, who: { name: 'Alias Fan' } } });
    sub.dispose();
  });

  it('refuses another member’s stream (FORBIDDEN) and partners; admins name any member or watch all', async () => {
    const base = await settledSubscriptions(rt);
    const a = await register('Alice');
    const b = await register('Bob');
    const asA = connect(tokens.member(a.id)).client;
    const forbidden = new Collector(asA, BALANCE, { memberId: b.id });
    expect((await forbidden.waitForError())[0].extensions?.code).toBe('FORBIDDEN');
    const partner = new Collector(connect(tokens.partner('m1')).client, BALANCE, { memberId: a.id });
    expect((await partner.waitForError())[0].extensions?.code).toBe('FORBIDDEN');

    const admin = connect(tokens.admin()).client;
    const onlyB = new Collector<Change>(admin, BALANCE, { memberId: b.id });
    const everyone = new Collector<Change>(
      admin,
      `subscription { balanceChanged { sequence member { displayName } } }`,
    );
    await subscriptionsAtLeast(rt, base + 2);
    await rt.ledger.change(a.id, 10);
    await rt.ledger.change(b.id, 20);
    const all = await everyone.waitFor(2);
    expect(all.map((x) => x.balanceChanged.member.displayName)).toEqual(['Alice', 'Bob']);
    // A later change of Bob's: anything misrouted to this stream would arrive before it.
    await rt.ledger.change(b.id, 30);
    const mine = await onlyB.waitFor(2);
    expect(mine.map((x) => x.balanceChanged.member.displayName)).toEqual(['Bob', 'Bob']);
    onlyB.dispose();
    everyone.dispose();
  });

  it('closes connections without a valid token with 4401 (UNAUTHENTICATED)', async () => {
    const none = connect();
    const s1 = new Collector(none.client, BALANCE);
    expect(await none.closed).toMatchObject({
      code: 4401,
      reason: expect.stringContaining('UNAUTHENTICATED'),
    });
    expect((await s1.waitForError()).length).toBeGreaterThan(0);
    const bad = connect('not-a-jwt');
    new Collector(bad.client, BALANCE);
    expect(await bad.closed).toMatchObject({ code: 4401 });
  });

  it('resumes without gaps: disconnect, 5 changes, reconnect with afterSequence → exactly those 5 in order, then live', async () => {
    const base = await settledSubscriptions(rt);
    const m = await register('Resumer');
    const token = tokens.member(m.id);
    const first = connect(token);
    const sub = new Collector<Change>(first.client, BALANCE);
    await subscriptionsAtLeast(rt, base + 1);
    await rt.ledger.change(m.id, 1);
    await rt.ledger.change(m.id, 2);
    const seen = await sub.waitFor(2);
    const last = seen[1].balanceChanged.sequence;
    sub.dispose();
    await first.client.dispose();

    for (let i = 0; i < 5; i++) await rt.ledger.change(m.id, 10 + i);
    const again = connect(token);
    const resumed = new Collector<Change>(again.client, BALANCE, { after: last });
    const replayed = await resumed.waitFor(5);
    expect(replayed.map((x) => x.balanceChanged.sequence)).toEqual([3, 4, 5, 6, 7]);
    expect(replayed.map((x) => x.balanceChanged.delta)).toEqual([10, 11, 12, 13, 14]);
    expect(replayed[0].balanceChanged.member.displayName).toBe('Resumer');
    await rt.ledger.change(m.id, 99);
    await resumed.waitFor(6);
    // One more change as a marker: a duplicate or a stray delivery would come before it, in order.
    await rt.ledger.change(m.id, 100);
    const live = await resumed.waitFor(7);
    expect(live.map((x) => x.balanceChanged.sequence)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    resumed.dispose();
  });

  it('has no gap and no duplicate at the seam while changes keep coming during a long replay', async () => {
    const m = await register('Busy');
    for (let i = 0; i < 230; i++) rt.ledger.store.append(m.id, 1); // history written while nobody listened
    const { client } = connect(tokens.admin());
    const sub = new Collector<Change>(
      client,
      `subscription($m: ID) { balanceChanged(memberId: $m, afterSequence: 0) { sequence } }`,
      {
        m: m.id,
      },
    );
    const writes = async (k: number) => {
      for (let i = 0; i < k; i++) await rt.ledger.change(m.id, 1);
    };
    // Changes keep coming: before the replay's first page arrives, while it runs, and at its end.
    await writes(15);
    await sub.waitFor(100, 20_000);
    await writes(15);
    await sub.waitFor(230, 20_000);
    await writes(10);
    await sub.waitFor(270, 20_000);
    // A marker after the last change: a duplicate at the seam would arrive before it, in order.
    await rt.ledger.change(m.id, 1);
    const got = await sub.waitFor(271, 20_000);
    expect(got.map((x) => x.balanceChanged.sequence)).toEqual(Array.from({ length: 271 }, (_, i) => i + 1));
    sub.dispose();
  });

  it('delivers selections of event fields only without any gateway query', async () => {
    const base = await settledSubscriptions(rt);
    const m = await register('Numbers Only');
    const { client } = connect(tokens.member(m.id));
    const sub = new Collector(
      client,
      'subscription { balanceChanged { __typename sequence delta balance kind } }',
    );
    await subscriptionsAtLeast(rt, base + 1);
    const before = rt.gateway.realtime.stats();
    await rt.ledger.change(m.id, 9);
    expect((await sub.waitFor(1))[0]).toEqual({
      balanceChanged: { __typename: 'BalanceChange', sequence: 1, delta: 9, balance: 9, kind: 'REGULAR' },
    });
    expect(rt.gateway.realtime.stats().resolutionsExecuted).toBe(before.resolutionsExecuted);
    sub.dispose();
  });

  it('fills a hole when a live event is lost in transit', async () => {
    const base = await settledSubscriptions(rt);
    const m = await register('Lossy');
    const { client } = connect(tokens.member(m.id));
    const sub = new Collector<Change>(client, BALANCE);
    await subscriptionsAtLeast(rt, base + 1);
    await rt.ledger.change(m.id, 1);
    await sub.waitFor(1);
    await rt.ledger.change(m.id, 2, { publish: false }); // lost
    await rt.ledger.change(m.id, 3, { publish: false }); // lost
    await rt.ledger.change(m.id, 4);
    const got = await sub.waitFor(4);
    expect(got.map((x) => [x.balanceChanged.sequence, x.balanceChanged.delta])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    sub.dispose();
  });

  it('replays a hole bigger than a page before going on live', async () => {
    const base = await settledSubscriptions(rt);
    const m = await register('Big Hole');
    const { client } = connect(tokens.member(m.id));
    const sub = new Collector<Change>(client, 'subscription { balanceChanged { sequence } }');
    await subscriptionsAtLeast(rt, base + 1);
    await rt.ledger.change(m.id, 1);
    await sub.waitFor(1);
    for (let i = 0; i < 250; i++) rt.ledger.store.append(m.id, 1); // 250 events lost in transit
    await rt.ledger.change(m.id, 1);
    await rt.ledger.change(m.id, 1);
    await sub.waitFor(253, 20_000);
    await rt.ledger.change(m.id, 1); // a marker: a duplicate would arrive before it
    const got = await sub.waitFor(254, 20_000);
    expect(got.map((x) => x.balanceChanged.sequence)).toEqual(Array.from({ length: 254 }, (_, i) => i + 1));
    sub.dispose();
  });

  it('resolves one event once for many subscribers with the same selection', async () => {
    const base = await settledSubscriptions(rt);
    const m = await register('Popular');
    const token = tokens.member(m.id);
    const subs: Collector<Change>[] = [];
    for (let i = 0; i < 5; i++) {
      const { client } = connect(token);
      for (let j = 0; j < 10; j++) subs.push(new Collector<Change>(client, BALANCE));
    }
    await subscriptionsAtLeast(rt, base + 50);
    expect(rt.gateway.realtime.stats().subscriptions).toBeGreaterThanOrEqual(50);
    const before = rt.gateway.realtime.stats();
    await rt.ledger.change(m.id, 7);
    await Promise.all(subs.map((s) => s.waitFor(1)));
    const after = rt.gateway.realtime.stats();
    expect(after.resolutionsRequested - before.resolutionsRequested).toBe(50);
    expect(after.resolutionsExecuted - before.resolutionsExecuted).toBe(1);
    expect(subs.every((s) => s.items[0].balanceChanged.member.displayName === 'Popular')).toBe(true);
    subs.forEach((s) => s.dispose());
  });

  it('batches a burst of events of many members into one gateway query', async () => {
    const base = await settledSubscriptions(rt);
    const members = await Promise.all(Array.from({ length: 10 }, (_, i) => register(`Burst ${i}`)));
    const ids = new Set(members.map((m) => m.id));
    const { client } = connect(tokens.admin());
    const all = new Collector<Change>(
      client,
      'subscription { balanceChanged { sequence member { id displayName } } }',
    );
    // Members watching themselves with the same (self-contained) selection share those resolutions.
    const own = members
      .slice(0, 3)
      .map(
        (m) =>
          new Collector<Change>(
            connect(tokens.member(m.id)).client,
            'subscription { balanceChanged { sequence member { id displayName } } }',
          ),
      );
    await subscriptionsAtLeast(rt, base + 4);
    const before = rt.gateway.realtime.stats();
    const entries = members.map((m) => rt.ledger.store.append(m.id, 3));
    await rt.graph.transport.publish(entries.map(balanceChangedEvent)); // one relay batch
    const got = (await all.waitFor(10)).filter((x) => ids.has(x.balanceChanged.member.id));
    expect(got.map((x) => x.balanceChanged.member.displayName).sort()).toEqual(
      members.map((m) => m.displayName).sort(),
    );
    await Promise.all(own.map((o) => o.waitFor(1)));
    const after = rt.gateway.realtime.stats();
    expect(after.resolutionsRequested - before.resolutionsRequested).toBe(13);
    expect(after.resolutionsShared - before.resolutionsShared).toBe(10);
    expect(after.resolutionsExecuted - before.resolutionsExecuted).toBe(1);
    all.dispose();
    own.forEach((o) => o.dispose());
  });

  it('pushes expiry warnings with the member resolved through the gateway', async () => {
    const base = await settledSubscriptions(rt);
    const m = await register('Soon Expiring');
    const { client } = connect(tokens.member(m.id));
    const sub = new Collector(
      client,
      'subscription { pointsExpiring { __typename points daysLeft kind expiresAt member { displayName } } }',
    );
    await subscriptionsAtLeast(rt, base + 1);
    const expiresAt = new Date(Date.now() + 12_000);
    await rt.ledger.warn(m.id, 80, expiresAt, 0);
    expect((await sub.waitFor(1))[0]).toEqual({
      pointsExpiring: {
        __typename: 'ExpiryWarning',
        points: 80,
        daysLeft: 0,
        kind: 'REGULAR',
        expiresAt: expiresAt.toISOString(),
        member: { displayName: 'Soon Expiring' },
      },
    });
    sub.dispose();
  });

  it('runs queries over the socket too, with the connection’s token', async () => {
    const m = await register('Socket Reader');
    const { client } = connect(tokens.member(m.id));
    const res = await new Promise<Record<string, unknown>>((resolve, reject) => {
      client.subscribe(
        { query: '{ me { displayName } }' },
        { next: (v) => resolve(v as never), error: reject, complete: () => undefined },
      );
    });
    expect(res).toEqual({ data: { me: { displayName: 'Socket Reader' } } });
  });
});
