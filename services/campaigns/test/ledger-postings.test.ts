import { randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import {
  startService,
  Topics,
  type EventEnvelope,
  type RunningService,
  OutboxEventRow,
} from '@loyalty/platform';
import { eventually, FakeLedger, graphqlRequest, testConfig, tokensFor } from '@loyalty/testing';
import { campaignsService } from '../src';
import { createApp, type CampaignsApp } from '../src/app';
import { campaignsLedger } from './support/ledger';
import { fakeMembers } from './support/members';

/** Fault injection that loses the answers of the next `n` calls after the ledger applied them. */
function loseAnswers(n: number) {
  return () => (n-- > 0 ? ('after' as const) : null);
}

const RECORD = `mutation($input: PurchaseInput!) { recordPurchase(input: $input) { purchase { id } awards { kind points status } } }`;
const REFUND = `mutation($input: RefundInput!) { refundPurchase(input: $input) { reversals { kind points status } } }`;

describe('ledger postings (campaigns alone, fake ledger)', () => {
  const config = testConfig();
  const tokens = tokensFor(config);
  const admin = tokens.admin();
  const ledger = new FakeLedger();
  let service: RunningService<CampaignsApp>;

  beforeAll(async () => {
    service = await startService(
      {
        ...campaignsService,
        createApp: (runtime) =>
          createApp(runtime, { ledger: campaignsLedger(ledger), members: fakeMembers().client }),
      },
      { config, port: 0 },
    );
  });
  afterAll(() => service?.stop());

  const gql = async (query: string, variables?: Record<string, unknown>, token = admin) => {
    const res = await graphqlRequest(service.url, query, variables, token);
    expect(res.errors).toBeUndefined();
    return res.data!;
  };

  it('keeps purchases and refunds while the ledger is down, then posts each exactly once', async () => {
    const merchantId = randomUUID();
    const members = [randomUUID(), randomUUID(), randomUUID()];
    ledger.down = true;
    for (const [i, memberId] of members.entries()) {
      const res = await gql(RECORD, { input: { merchantId, memberId, orderId: `down-${i}`, amount: 8000 } });
      expect(res.recordPurchase.awards).toEqual([{ kind: 'REGULAR', points: 80, status: 'PENDING' }]);
    }
    const refund = await gql(REFUND, {
      input: { merchantId, orderId: 'down-0', amount: 3000, refundId: 'r-down' },
    });
    expect(refund.refundPurchase.reversals).toEqual([{ kind: 'REGULAR', points: -30, status: 'PENDING' }]);
    expect(await service.app.poster.pendingCount()).toBe(4);
    expect(ledger.credits.size).toBe(0);

    // Back up, and the first two answers get lost after the ledger applied the call.
    ledger.chaos = loseAnswers(2);
    ledger.down = false;
    await eventually(async () => (await service.app.poster.pendingCount()) === 0, 30_000, 100);
    expect(ledger.credits.size).toBe(3);
    expect(ledger.reversals.size).toBe(1);
    // Nothing is reversed before it was credited.
    expect(ledger.reversalsBeforeCredit).toEqual([]);
    expect(ledger.balance(members[0])).toBe(50);
    expect(ledger.balance(members[1])).toBe(80);

    // Retries of the same order return the posted result and post nothing more.
    const calls = ledger.calls;
    const again = await gql(RECORD, {
      input: { merchantId, memberId: members[1], orderId: 'down-1', amount: 8000 },
    });
    expect(again.recordPurchase.awards).toEqual([{ kind: 'REGULAR', points: 80, status: 'POSTED' }]);
    expect(ledger.calls).toBe(calls);
  });

  it('posts at once when the ledger is up', async () => {
    const merchantId = randomUUID();
    const memberId = randomUUID();
    const res = await gql(RECORD, { input: { merchantId, memberId, orderId: 'up-1', amount: 3000 } });
    expect(res.recordPurchase.awards).toEqual([{ kind: 'REGULAR', points: 30, status: 'POSTED' }]);
    expect(ledger.credits.get(`campaigns:purchase:${merchantId}:up-1:base`)).toMatchObject({
      points: 30,
      sourceType: 'purchase',
    });
  });

  it('gives a sign-up bonus once per member, however often the event arrives', async () => {
    const now = Date.now();
    await gql(`mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }`, {
      i: { name: 'Welcome', startsAt: new Date(now - 60_000).toISOString(), signUpBonus: 20, budget: 30 },
    });
    const [a, b] = [randomUUID(), randomUUID()];
    const event = (memberId: string): EventEnvelope => ({
      id: randomUUID(),
      topic: Topics.memberRegistered,
      key: memberId,
      payload: { memberId, joinedAt: new Date().toISOString(), registeredVia: 'self', referralCode: null },
      occurredAt: new Date().toISOString(),
      source: 'members',
    });
    const first = event(a);
    await service.runtime.transport.publish([first, first, event(a)]);
    await service.runtime.transport.publish([event(b)]);
    await eventually(async () => ledger.balance(a) === 20 && ledger.balance(b) === 10, 10_000, 100);
    // The budget (30) is used up: b got the 10 that were left.
    expect([...ledger.credits.values()].filter((c) => c.sourceType === 'signup')).toHaveLength(2);
  });

  it('rejects oversized sign-up bonuses (R6)', async () => {
    const res = await graphqlRequest(
      service.url,
      `mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }`,
      { i: { name: 'Huge', startsAt: new Date().toISOString(), signUpBonus: 100_000 } },
      admin,
    );
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('links every award to its own ledger posting (regression: TypeORM multi-row insert reorders ids)', async () => {
    const merchantId = randomUUID();
    const since = new Date(Date.now() - 60_000).toISOString();
    for (const [name, validity] of [
      ['Short', 'P7D'],
      ['Long', 'P2Y'],
    ]) {
      await gql(`mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }`, {
        i: { name, startsAt: since, merchantId, bonusPoints: 3, validity },
      });
    }
    for (let i = 0; i < 6; i++) {
      await gql(RECORD, {
        input: {
          merchantId,
          memberId: randomUUID(),
          orderId: `link-${i}`,
          amount: 5000,
          items: [{ sku: 'eco', amount: 2000, green: true }],
        },
      });
    }
    const rows: {
      ruleKey: string;
      campaignId: string | null;
      idempotencyKey: string;
      kind: string;
      pkind: string;
      points: number;
      ppoints: number;
    }[] = await service.runtime.db.dataSource.query(
      'SELECT a.ruleKey, a.campaignId, a.kind, a.points, p.idempotencyKey, p.kind AS pkind, p.points AS ppoints FROM purchase_awards a JOIN ledger_postings p ON p.id = a.postingId JOIN purchases u ON u.id = a.purchaseId WHERE u.merchantId = ?',
      [merchantId],
    );
    expect(rows).toHaveLength(6 * 4);
    for (const r of rows) {
      expect(r.idempotencyKey.endsWith(`:${r.campaignId ?? r.ruleKey}`)).toBe(true);
      expect([r.pkind, r.ppoints]).toEqual([r.kind, r.points]);
    }
  });

  it('emits purchase.recorded and purchase.refunded through the outbox, once per purchase and refund', async () => {
    const seen: EventEnvelope<typeof Topics.purchaseRecorded | typeof Topics.purchaseRefunded>[] = [];
    const stops = await Promise.all(
      [Topics.purchaseRecorded, Topics.purchaseRefunded].map((topic) =>
        service.runtime.transport.listen(topic, (e) => {
          if (e.topic === Topics.purchaseRecorded || e.topic === Topics.purchaseRefunded) seen.push(e);
        }),
      ),
    );
    const merchantId = randomUUID();
    const memberId = randomUUID();
    const input = {
      merchantId,
      memberId,
      orderId: 'evt-1',
      amount: 8000,
      items: [{ sku: 'eco', amount: 1000, green: true }],
    };
    const recorded = await gql(RECORD, { input });
    await gql(RECORD, { input });
    await gql(REFUND, { input: { merchantId, orderId: 'evt-1', amount: 3000, refundId: 'evt-r1' } });
    await gql(REFUND, { input: { merchantId, orderId: 'evt-1', amount: 3000, refundId: 'evt-r1' } });
    await gql(REFUND, { input: { merchantId, orderId: 'evt-1', refundId: 'evt-r2' } });
    await eventually(
      async () => seen.filter((e) => e.payload.merchantId === merchantId).length >= 3,
      10_000,
      50,
    );
    // Every event left the outbox (listeners are called before a row is marked): no late duplicate.
    await eventually(async () => {
      const unpublished = await service.runtime.transactor.read((m) =>
        m.count(OutboxEventRow, { where: { publishedAt: IsNull() } }),
      );
      return unpublished === 0;
    });
    const mine = seen.filter((e) => e.payload.merchantId === merchantId);
    expect(mine).toEqual([
      expect.objectContaining({
        topic: Topics.purchaseRecorded,
        payload: expect.objectContaining({
          purchaseId: recorded.recordPurchase.purchase.id,
          memberId,
          orderId: 'evt-1',
          amount: 8000,
          firstPurchase: true,
          awards: [
            { kind: 'REGULAR', points: 80 },
            { kind: 'GREEN', points: 10 },
          ],
        }),
      }),
      expect.objectContaining({
        topic: Topics.purchaseRefunded,
        payload: expect.objectContaining({
          refundId: 'evt-r1',
          amount: 3000,
          refundedTotal: 3000,
          fullyRefunded: false,
        }),
      }),
      expect.objectContaining({
        topic: Topics.purchaseRefunded,
        payload: expect.objectContaining({
          refundId: 'evt-r2',
          amount: 5000,
          refundedTotal: 8000,
          fullyRefunded: true,
        }),
      }),
    ]);
    // Every point came back, GREEN included (rounded to the nearest point per refund, exact in total).
    await eventually(async () => (await service.app.poster.pendingCount()) === 0, 10_000, 50);
    expect(ledger.balance(memberId)).toBe(0);
    expect(ledger.balance(memberId, 'GREEN')).toBe(0);
    await Promise.all(stops.map((stop) => stop()));
  });
});
