import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@loyalty/platform';
import { eventually, freePorts, onMysql, onRedis, testConfig, tokensFor } from '@loyalty/testing';
import { Collector, wsClient } from '../realtime/support/realtime';
import { ResilientClient } from './support/resilient-client';
import { Topology } from './support/topology';

// The production topology needs a shared database server and Redis: each service is its own
// process, and replicas only meet through them.
const describeInProduction = onMysql() && onRedis() ? describe : describe.skip;

const MEMBERS = 12;
const CLIENTS = 6;
const ORDERS_PER_CLIENT = 14;

interface Ledgerbook {
  /** Points the platform promised each member, from the answers it gave. */
  expected: Map<string, number>;
  orders: Set<string>;
  /** Per member, each answer that moved the book (shown when a balance disagrees). */
  journal: Map<string, string[]>;
}

describeInProduction('production topology under SIGKILL', () => {
  const config = testConfig(
    { OUTBOX_POLL_INTERVAL: 'PT0.2S', REDEMPTION_RECOVERY_INTERVAL: 'PT1S' },
    { redis: true },
  );
  const tokens = tokensFor(config);
  const logDir = mkdtempSync(join(tmpdir(), 'loyalty-topology-'));
  let topology: Topology;
  let gateways: string[];
  const subscribers: {
    memberId: string;
    collector: Collector<{ balanceChanged: { sequence: number } }>;
    close(): Promise<void>;
  }[] = [];

  beforeAll(async () => {
    const ports = await freePorts([...SERVICE_NAMES, 'ledger2', 'gateway', 'gateway2'] as const);
    const url = (port: number) => `http://127.0.0.1:${port}/graphql`;
    const shared: Record<string, string> = { HOST: '127.0.0.1', SUBGRAPH_HOST: '127.0.0.1' };
    for (const name of SERVICE_NAMES) shared[`${name.toUpperCase()}_URL`] = url(ports[name]);
    topology = new Topology(config, logDir, shared);
    // The first ledger migrates the database; the second replica starts on a migrated one.
    await topology.start({ name: 'ledger', target: 'ledger', port: ports.ledger });
    await Promise.all([
      topology.start({ name: 'ledger2', target: 'ledger', port: ports.ledger2 }),
      ...(['members', 'catalog', 'campaigns', 'referrals'] as const).map((name) =>
        topology.start({ name, target: name, port: ports[name] }),
      ),
    ]);
    // Two gateway replicas, each with its own ledger replica; services post to the first.
    await Promise.all([
      topology.start({ name: 'gateway', target: 'gateway', port: ports.gateway }),
      topology.start({
        name: 'gateway2',
        target: 'gateway',
        port: ports.gateway2,
        env: { LEDGER_URL: url(ports.ledger2) },
      }),
    ]);
    gateways = [url(ports.gateway), url(ports.gateway2)];
  }, 300_000);

  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.close()));
    await topology?.stop();
  }, 60_000);

  it('loses and doubles nothing while a ledger replica and then a whole service are killed', async () => {
    const client = new ResilientClient(gateways);
    const admin = await tokens.admin();
    const must = async <T = Record<string, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
      query: string,
      variables: Record<string, unknown>,
      token: string,
    ): Promise<T> => {
      const outcome = await client.request<T>(query, variables, token);
      if (!outcome.ok) throw new Error(`refused (${outcome.code}): ${query}`);
      return outcome.data;
    };

    const merchantId = (
      await must<{ createMerchant: { id: string } }>(
        'mutation($i: CreateMerchantInput!) { createMerchant(input: $i) { id } }',
        { i: { name: 'Chaos Mart', category: 'grocery' } },
        admin,
      )
    ).createMerchant.id;
    const partner = await tokens.partner(merchantId);
    const rewardId = (
      await must<{ createReward: { id: string } }>(
        'mutation($i: CreateRewardInput!) { createReward(input: $i) { id } }',
        { i: { name: 'Tote bag', kind: 'GOODS', pointsPrice: 30 } },
        admin,
      )
    ).createReward.id;
    const memberIds: string[] = [];
    for (let i = 0; i < MEMBERS; i += 1) {
      const { registerMember } = await must<{ registerMember: { id: string } }>(
        'mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }',
        { i: { displayName: `Chaos ${i}`, phone: `+861390000${String(i).padStart(4, '0')}` } },
        admin,
      );
      memberIds.push(registerMember.id);
    }

    // Every member is watched live from the start, half on each gateway replica.
    for (const [i, memberId] of memberIds.entries()) {
      const ws = wsClient(gateways[i % 2].replace('http', 'ws'), await tokens.member(memberId));
      const collector = new Collector<{ balanceChanged: { sequence: number } }>(
        ws.client,
        'subscription { balanceChanged(afterSequence: 0) { sequence } }',
      );
      subscribers.push({
        memberId,
        collector,
        close: async () => {
          collector.dispose();
          await ws.client.dispose();
        },
      });
    }

    type Reversal = { kind: string; points: number; status: string; shortfall: number | null };
    const REFUND =
      'mutation($i: RefundInput!) { refundPurchase(input: $i) { reversals { kind points status shortfall } } }';
    const owedRefunds: { memberId: string; input: Record<string, string> }[] = [];
    const book: Ledgerbook = {
      expected: new Map(memberIds.map((id) => [id, 0])),
      orders: new Set(),
      journal: new Map(memberIds.map((id) => [id, []])),
    };
    const add = (memberId: string, points: number, why: string) => {
      book.expected.set(memberId, book.expected.get(memberId)! + points);
      book.journal.get(memberId)!.push(`${why} ${points}`);
    };
    let done = 0;
    let killLedgerAt = 0;
    let killServiceAt = 0;
    // The chaos waits for the load to reach a point: each finished order wakes it.
    const progress = new EventEmitter();
    const milestone = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (done < n) return;
          progress.off('order', check);
          resolve();
        };
        progress.on('order', check);
        check();
      });

    const addReversals = (memberId: string, refundId: string, reversals: Reversal[]) => {
      for (const r of reversals)
        if (r.kind === 'REGULAR')
          add(memberId, r.points + (r.shortfall ?? 0), `${refundId} (asked ${r.points})`);
    };

    // Each client: a purchase, sometimes its refund, sometimes a redemption by the member.
    const load = Array.from({ length: CLIENTS }, async (_, c) => {
      for (let n = 0; n < ORDERS_PER_CLIENT; n += 1) {
        const memberId = memberIds[(c * ORDERS_PER_CLIENT + n) % MEMBERS];
        const orderId = `o-${c}-${n}`;
        const purchase = await must<{ recordPurchase: { awards: { kind: string; points: number }[] } }>(
          'mutation($i: PurchaseInput!) { recordPurchase(input: $i) { awards { kind points } } }',
          { i: { merchantId, memberId, orderId, amount: 2_000 + 100 * n } },
          partner,
        );
        book.orders.add(orderId);
        for (const a of purchase.recordPurchase.awards)
          if (a.kind === 'REGULAR') add(memberId, a.points, orderId);
        if (n % 4 === 1) {
          const input = { merchantId, orderId, refundId: `r-${orderId}` };
          const { refundPurchase } = await must<{ refundPurchase: { reversals: Reversal[] } }>(
            REFUND,
            { i: input },
            partner,
          );
          // A reversal takes back at most what the member still has (a redemption on another
          // client may have spent it first): the answer says how much, once the ledger has it.
          if (refundPurchase.reversals.some((r) => r.status !== 'POSTED'))
            owedRefunds.push({ memberId, input });
          else addReversals(memberId, input.refundId, refundPurchase.reversals);
        }
        if (n % 3 === 2) {
          const redeemed = await client.request<{ redeemReward: { points: number; status: string } }>(
            'mutation($i: RedeemInput!) { redeemReward(input: $i) { points status } }',
            { i: { rewardId, idempotencyKey: `x-${orderId}` } },
            await tokens.member(memberId),
          );
          const answer = `x-${orderId} ${redeemed.ok ? redeemed.data.redeemReward.status : redeemed.code} after ${redeemed.attempts}`;
          if (redeemed.ok && redeemed.data.redeemReward.status !== 'CANCELLED')
            add(memberId, -redeemed.data.redeemReward.points, answer);
          else {
            if (!redeemed.ok) expect(redeemed.code).toBe('INSUFFICIENT_POINTS');
            book.journal.get(memberId)!.push(answer);
          }
        }
        done += 1;
        progress.emit('order');
      }
    });

    // The faults, at fixed points of the load: a ledger replica, then the campaigns service.
    const total = CLIENTS * ORDERS_PER_CLIENT;
    const chaos = (async () => {
      await milestone(Math.floor(total * 0.25));
      killLedgerAt = done;
      await topology.kill('ledger');
      await topology.restart('ledger');
      await milestone(Math.floor(total * 0.55));
      killServiceAt = done;
      await topology.kill('campaigns');
      await topology.restart('campaigns');
    })();
    await Promise.all([...load, chaos]);
    expect(killLedgerAt).toBeGreaterThan(0);
    expect(killServiceAt).toBeGreaterThan(killLedgerAt);
    expect(client.stats.retries).toBeGreaterThan(0);

    // Settled: every posting owed to the ledger has been made.
    await eventually(
      async () =>
        (await must<{ pendingLedgerPostings: number }>('{ pendingLedgerPostings }', {}, admin))
          .pendingLedgerPostings === 0,
      120_000,
      250,
    );

    // Refunds answered before the ledger had them: asked again (the same refundId replays the
    // refund), now with what was taken back.
    for (const { memberId, input } of owedRefunds) {
      const { refundPurchase } = await must<{ refundPurchase: { reversals: Reversal[] } }>(
        REFUND,
        { i: input },
        partner,
      );
      expect(refundPurchase.reversals.every((r) => r.status === 'POSTED')).toBe(true);
      addReversals(memberId, input.refundId, refundPurchase.reversals);
    }

    // Every balance equals what the platform's answers promised, and the trail is consistent.
    // A disagreement names the member, both sides and the trail, so a failure in CI explains itself.
    for (const memberId of memberIds) {
      await eventually(
        async () => {
          const { member } = await must<{
            member: { balance: number; history: { edges: { node: Record<string, unknown> }[] } };
          }>(
            'query($id: ID!) { member(id: $id) { balance history(first: 100) { edges { node { sequence type points description } } } } }',
            { id: memberId },
            admin,
          );
          if (member.balance === book.expected.get(memberId)) return true;
          throw new Error(
            `member ${memberId}: balance ${member.balance}, answers promised ${book.expected.get(memberId)}\n` +
              `answers: ${book.journal.get(memberId)!.join('; ')}\n` +
              `process logs: ${logDir}\n` +
              `trail: ${member.history.edges.map((e) => JSON.stringify(e.node)).join('\n  ')}`,
          );
        },
        60_000,
        250,
      );
    }
    const { ledgerCheck } = await must<{ ledgerCheck: { ok: boolean; problems: string[] } }>(
      '{ ledgerCheck { ok problems } }',
      {},
      admin,
    );
    expect(ledgerCheck).toEqual({ ok: true, problems: [] });

    // No purchase lost or doubled: exactly one purchase per order the clients were told was recorded.
    const recorded: string[] = [];
    for (let after: string | null = null; ;) {
      const {
        purchases,
      }: {
        purchases: {
          edges: { node: { orderId: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      } = await must(
        'query($m: ID, $after: String) { purchases(merchantId: $m, first: 100, after: $after) { edges { node { orderId } } pageInfo { hasNextPage endCursor } } }',
        { m: merchantId, after },
        admin,
      );
      recorded.push(...purchases.edges.map((e) => e.node.orderId));
      if (!purchases.pageInfo.hasNextPage) break;
      after = purchases.pageInfo.endCursor;
    }
    recorded.sort();
    expect(recorded).toEqual([...book.orders].sort());

    // Every subscriber saw its member's entries in order, with no gap and no duplicate.
    for (const s of subscribers) {
      const { member } = await must<{ member: { history: { edges: { node: { sequence: number } }[] } } }>(
        'query($id: ID!) { member(id: $id) { history(first: 1) { edges { node { sequence } } } } }',
        { id: s.memberId },
        admin,
      );
      const last = member.history.edges[0]?.node.sequence ?? 0;
      await eventually(async () => s.collector.items.length >= last, 30_000, 100);
      expect(s.collector.errors).toEqual([]);
      expect(s.collector.items.map((i) => i.balanceChanged.sequence)).toEqual(
        Array.from({ length: last }, (_, k) => k + 1),
      );
    }
  }, 600_000);
});
