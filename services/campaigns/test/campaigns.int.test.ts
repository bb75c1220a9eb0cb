import { startGraph, type RunningGraph } from '@loyalty/launcher';
import { graphqlRequest, testConfig, tokensFor } from '@loyalty/platform/testing';

const RECORD = `mutation Record($input: PurchaseInput!) {
  recordPurchase(input: $input) {
    purchase { id orderId amount occurredAt member { id } merchant { id name category } }
    awards { kind points reason rule status expiresAt campaign { id name } }
  }
}`;
const REFUND = `mutation Refund($input: RefundInput!) {
  refundPurchase(input: $input) { purchase { id refundedAmount } reversals { kind points reason status } }
}`;
const PREVIEW = `query Preview($input: PurchaseInput!) { previewPurchase(input: $input) { kind points reason rule status } }`;
const CREATE_CAMPAIGN = `mutation Create($input: CreateCampaignInput!) {
  createCampaign(input: $input) { id name startsAt endsAt terms multiplier bonusPoints status }
}`;

type Award = { kind: string; points: number; rule: string };
const sum = (awards: Award[], kind = 'REGULAR') =>
  awards.filter((a) => a.kind === kind).reduce((s, a) => s + a.points, 0);

describe('campaigns through the gateway', () => {
  const config = testConfig();
  const tokens = tokensFor(config);
  const admin = tokens.admin();
  let graph: RunningGraph;
  let order = 0;

  beforeAll(async () => {
    graph = await startGraph({ config, ephemeralPorts: true });
  });
  afterAll(() => graph?.stop());

  const gql = (query: string, variables?: Record<string, unknown>, token?: string) =>
    graphqlRequest(graph.url, query, variables, token);

  const ok = async (query: string, variables?: Record<string, unknown>, token?: string) => {
    const res = await gql(query, variables, token);
    expect(res.errors).toBeUndefined();
    return res.data!;
  };

  const merchant = async (category = 'dining') =>
    (
      await ok(
        `mutation($i: CreateMerchantInput!) { createMerchant(input: $i) { id } }`,
        { i: { name: `Shop ${category}`, category } },
        admin,
      )
    ).createMerchant.id as string;

  let phone = 13900001000;
  const member = async () =>
    (
      await ok(`mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }`, {
        i: { displayName: 'Member', phone: String(phone++) },
      })
    ).registerMember.id as string;

  const nextOrder = () => `ORD-${++order}`;

  it('earns 1 point per yuan: 30 yuan → 30 points, with a readable breakdown', async () => {
    const m = await merchant();
    const who = await member();
    const res = await ok(
      RECORD,
      { input: { merchantId: m, memberId: who, orderId: nextOrder(), amount: 3000 } },
      tokens.partner(m),
    );
    const { purchase, awards } = res.recordPurchase;
    expect(purchase).toMatchObject({
      amount: 3000,
      member: { id: who },
      merchant: { id: m, category: 'dining' },
    });
    expect(awards).toEqual([
      expect.objectContaining({ kind: 'REGULAR', points: 30, rule: 'base', campaign: null }),
    ]);
    expect(awards[0].reason).toMatch(/1 point per 1 yuan/);
  });

  it('doubles during a store anniversary: 1 yuan → 2 points, stated in the terms', async () => {
    const m = await merchant();
    const who = await member();
    const now = Date.now();
    const campaign = (
      await ok(
        CREATE_CAMPAIGN,
        {
          input: {
            name: 'Store anniversary',
            startsAt: new Date(now - 60_000).toISOString(),
            endsAt: new Date(now + 86_400_000).toISOString(),
            merchantId: m,
            multiplier: 2,
          },
        },
        admin,
      )
    ).createCampaign;
    expect(campaign).toMatchObject({ multiplier: 2, status: 'ACTIVE' });
    expect(campaign.terms).toMatch(/×2/);
    const res = await ok(
      RECORD,
      { input: { merchantId: m, memberId: who, orderId: nextOrder(), amount: 100 } },
      tokens.partner(m),
    );
    expect(sum(res.recordPurchase.awards)).toBe(2);
    expect(res.recordPurchase.awards[1].campaign).toEqual({ id: campaign.id, name: 'Store anniversary' });
    // Another merchant is not covered; a purchase outside the window is not either.
    const other = await merchant();
    const res2 = await ok(
      RECORD,
      { input: { merchantId: other, memberId: who, orderId: nextOrder(), amount: 100 } },
      admin,
    );
    expect(sum(res2.recordPurchase.awards)).toBe(1);
    const before = new Date(now - 3_600_000).toISOString();
    const res3 = await ok(
      RECORD,
      { input: { merchantId: m, memberId: who, orderId: nextOrder(), amount: 100, occurredAt: before } },
      admin,
    );
    expect(sum(res3.recordPurchase.awards)).toBe(1);
    const listed = await ok('{ campaigns { id terms } programTerms { rules campaigns { id } } }');
    expect(listed.campaigns.map((c: { id: string }) => c.id)).toContain(campaign.id);
    expect(listed.programTerms.rules.join('\n')).toMatch(/Store anniversary/);
  });

  it('gives a first-order bonus once', async () => {
    const m = await merchant();
    const now = Date.now();
    await ok(
      CREATE_CAMPAIGN,
      {
        input: {
          name: 'Welcome order',
          startsAt: new Date(now - 60_000).toISOString(),
          merchantId: m,
          bonusPoints: 50,
          firstOrderOnly: 'PLATFORM',
        },
      },
      admin,
    );
    const who = await member();
    const first = await ok(
      RECORD,
      { input: { merchantId: m, memberId: who, orderId: nextOrder(), amount: 1000 } },
      admin,
    );
    expect(sum(first.recordPurchase.awards)).toBe(60);
    const second = await ok(
      RECORD,
      { input: { merchantId: m, memberId: who, orderId: nextOrder(), amount: 1000 } },
      admin,
    );
    expect(sum(second.recordPurchase.awards)).toBe(10);
  });

  it('gives GREEN points on green items, on their own amount', async () => {
    const m = await merchant('grocery');
    const who = await member();
    const res = await ok(
      RECORD,
      {
        input: {
          merchantId: m,
          memberId: who,
          orderId: nextOrder(),
          amount: 10000,
          items: [
            { sku: 'organic-rice', amount: 3000, green: true },
            { sku: 'snacks', amount: 7000 },
          ],
        },
      },
      tokens.partner(m),
    );
    expect(sum(res.recordPurchase.awards)).toBe(100);
    expect(sum(res.recordPurchase.awards, 'GREEN')).toBe(30);
  });

  it('reverses in proportion: a refund of 30 of 80 yuan leaves 50 points', async () => {
    const m = await merchant();
    const who = await member();
    const orderId = nextOrder();
    await ok(RECORD, { input: { merchantId: m, memberId: who, orderId, amount: 8000 } }, tokens.partner(m));
    const refund = await ok(
      REFUND,
      { input: { merchantId: m, orderId, amount: 3000, refundId: 'R1' } },
      tokens.partner(m),
    );
    expect(refund.refundPurchase.reversals).toEqual([
      expect.objectContaining({ kind: 'REGULAR', points: -30 }),
    ]);
    expect(refund.refundPurchase.purchase.refundedAmount).toBe(3000);
    // Retried: the same result, no second effect; more than is left: refused.
    const again = await ok(
      REFUND,
      { input: { merchantId: m, orderId, amount: 3000, refundId: 'R1' } },
      tokens.partner(m),
    );
    expect(again.refundPurchase).toEqual(refund.refundPurchase);
    const conflict = await gql(
      REFUND,
      { input: { merchantId: m, orderId, amount: 1000, refundId: 'R1' } },
      tokens.partner(m),
    );
    expect(conflict.errors?.[0].extensions?.code).toBe('CONFLICT');
    const tooMuch = await gql(
      REFUND,
      { input: { merchantId: m, orderId, amount: 5001, refundId: 'R2' } },
      tokens.partner(m),
    );
    expect(tooMuch.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const rest = await ok(REFUND, { input: { merchantId: m, orderId, refundId: 'R3' } }, tokens.partner(m));
    expect(rest.refundPurchase.reversals).toEqual([
      expect.objectContaining({ kind: 'REGULAR', points: -50 }),
    ]);
  });

  it('previews without writing anything', async () => {
    const m = await merchant();
    const who = await member();
    const input = { merchantId: m, memberId: who, orderId: nextOrder(), amount: 4550 };
    const preview = await ok(PREVIEW, { input }, tokens.partner(m));
    expect(preview.previewPurchase).toEqual([
      { kind: 'REGULAR', points: 45, reason: expect.any(String), rule: 'base', status: 'PREVIEW' },
    ]);
    const none = await ok(
      'query($m: ID!, $o: String!) { purchase(merchantId: $m, orderId: $o) { id } }',
      { m, o: input.orderId },
      admin,
    );
    expect(none.purchase).toBeNull();
  });

  it('is idempotent by order id, also with 20 concurrent identical requests; a different payload is CONFLICT', async () => {
    const m = await merchant();
    const who = await member();
    const input = { merchantId: m, memberId: who, orderId: nextOrder(), amount: 2500 };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => gql(RECORD, { input }, tokens.partner(m))),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    const ids = new Set(results.map((r) => r.data!.recordPurchase.purchase.id));
    expect(ids.size).toBe(1);
    for (const r of results) expect(sum(r.data!.recordPurchase.awards)).toBe(25);
    const list = await ok(
      'query($m: ID) { purchases(merchantId: $m) { edges { node { id } } } }',
      { m },
      admin,
    );
    expect(list.purchases.edges).toHaveLength(1);
    const conflict = await gql(RECORD, { input: { ...input, amount: 2600 } }, tokens.partner(m));
    expect(conflict.errors?.[0].extensions?.code).toBe('CONFLICT');
    // 20 concurrent identical refunds: one effect.
    const refunds = await Promise.all(
      Array.from({ length: 20 }, () =>
        gql(
          REFUND,
          { input: { merchantId: m, orderId: input.orderId, amount: 1000, refundId: 'RC' } },
          tokens.partner(m),
        ),
      ),
    );
    for (const r of refunds) expect(r.errors).toBeUndefined();
    for (const r of refunds) expect(r.data!.refundPurchase.purchase.refundedAmount).toBe(1000);
  });

  it('refuses other merchants, members and anonymous callers, and bad input, writing nothing', async () => {
    const m = await merchant();
    const other = await merchant();
    const who = await member();
    const input = { merchantId: m, memberId: who, orderId: nextOrder(), amount: 1000 };
    expect((await gql(RECORD, { input }, tokens.partner(other))).errors?.[0].extensions?.code).toBe(
      'FORBIDDEN',
    );
    expect((await gql(RECORD, { input }, tokens.member(who))).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await gql(RECORD, { input })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gql(PREVIEW, { input }, tokens.member(who))).errors?.[0].extensions?.code).toBe(
      'FORBIDDEN',
    );
    expect(
      (
        await gql(
          CREATE_CAMPAIGN,
          { input: { name: 'x', startsAt: new Date().toISOString(), bonusPoints: 1 } },
          tokens.partner(m),
        )
      ).errors?.[0].extensions?.code,
    ).toBe('FORBIDDEN');
    const bad = [
      { ...input, amount: 0 },
      { ...input, amount: -5 },
      { ...input, memberId: 'no-such-member' },
      { ...input, merchantId: 'no-such-merchant' },
      { ...input, currency: 'USD' },
      { ...input, items: [{ sku: 'a', amount: 1001 }] },
      { ...input, occurredAt: new Date(Date.now() + 86_400_000).toISOString() },
      { ...input, orderId: '' },
    ];
    for (const b of bad) {
      const res = await gql(RECORD, { input: b }, admin);
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    const huge = await gql(RECORD, { input: { ...input, amount: 2 ** 31 } }, admin);
    expect(huge.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const list = await ok(
      'query($m: ID) { purchases(merchantId: $m) { edges { node { id } } } }',
      { m },
      admin,
    );
    expect(list.purchases.edges).toHaveLength(0);
  });

  it('discloses programme terms: validity as configured and warning days rounded down', async () => {
    const res = await ok('{ programTerms { pointsValidity expiryWarningDays rules } }');
    expect(res.programTerms.pointsValidity).toBe('P1Y');
    expect(res.programTerms.expiryWarningDays).toEqual([30, 7, 1]);
    expect(res.programTerms.rules.join('\n')).toMatch(/multipl/i);
  });
});
