import { eventually } from '@loyalty/testing';
import { useGraph } from '../support/graph';
import type { CampaignsApp } from '@loyalty/campaigns';
import { Topics, type EventEnvelope } from '@loyalty/platform';

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
  const { tokens, graph, gql } = useGraph();
  const admin = tokens.admin();
  let order = 0;

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

  /** Balance through the gateway (the ledger's field on Member), once every posting is in. */
  const balance = async (memberId: string, kind = 'REGULAR') => {
    // Points are normally posted before recordPurchase answers; on a loaded machine the last ones may
    // still be on their way (the answer waits at most 3 s), so wait for the backlog to drain first.
    await eventually(
      async () => (await ok('{ pendingLedgerPostings }', {}, admin)).pendingLedgerPostings === 0,
      30_000,
      50,
    );
    return (
      await ok(
        'query($id: ID!, $k: PointKind) { member(id: $id) { balance(kind: $k) } }',
        { id: memberId, k: kind },
        admin,
      )
    ).member.balance as number;
  };

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
    expect(awards[0].status).toBe('POSTED');
    expect(await balance(who)).toBe(30);
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
    expect(await balance(who)).toBe(2);
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
    expect(await balance(who)).toBe(70);
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
    expect(await balance(who)).toBe(100);
    expect(await balance(who, 'GREEN')).toBe(30);
  });

  it('runs "green points doubled": a GREEN multiplier and bonus on eco purchases, reversed by a refund', async () => {
    const m = await merchant('grocery');
    const who = await member();
    const now = Date.now();
    const created = await ok(
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id pointKind multiplier terms } }',
      {
        input: {
          name: 'Green week',
          startsAt: new Date(now - 60_000).toISOString(),
          endsAt: new Date(now + 86_400_000).toISOString(),
          merchantId: m,
          multiplier: 2,
          bonusPoints: 5,
          pointKind: 'GREEN',
        },
      },
      tokens.admin(),
    );
    expect(created.createCampaign).toMatchObject({ pointKind: 'GREEN', multiplier: 2 });
    expect(created.createCampaign.terms).toContain('×2 the GREEN points on eco-friendly items');
    expect(created.createCampaign.terms).toContain('5 bonus GREEN points per qualifying purchase');
    const orderId = nextOrder();
    const res = await ok(
      RECORD,
      {
        input: {
          merchantId: m,
          memberId: who,
          orderId,
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
    expect(sum(res.recordPurchase.awards, 'GREEN')).toBe(30 + 30 + 5);
    expect(await balance(who)).toBe(100);
    expect(await balance(who, 'GREEN')).toBe(65);
    // A purchase without green items earns no GREEN campaign points.
    const plain = await ok(
      RECORD,
      { input: { merchantId: m, memberId: who, orderId: nextOrder(), amount: 2000 } },
      tokens.partner(m),
    );
    expect(sum(plain.recordPurchase.awards, 'GREEN')).toBe(0);
    // A full refund takes the GREEN campaign points back with the rest.
    await ok(REFUND, { input: { merchantId: m, orderId, refundId: `rf-${orderId}` } }, tokens.partner(m));
    await eventually(async () => (await balance(who, 'GREEN')) === 0);
    const signUp = await gql(
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: 'Green welcome',
          startsAt: new Date(now).toISOString(),
          signUpBonus: 10,
          pointKind: 'GREEN',
        },
      },
      tokens.admin(),
    );
    expect(signUp.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
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
    expect(await balance(who)).toBe(50);
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

  it('previews what is left of a budget and of a member’s cap, as the purchases before it left them', async () => {
    const shop = await merchant();
    await ok(
      CREATE_CAMPAIGN,
      {
        input: {
          name: 'Nearly spent',
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          merchantId: shop,
          bonusPoints: 10,
          budget: 25,
          perMemberCap: 15,
        },
      },
      admin,
    );
    const [a, b, c] = await Promise.all([member(), member(), member()]);
    const campaignPoints = (lines: Award[]) => lines.find((l) => l.rule.startsWith('campaign:'))?.points ?? 0;
    const bonus = async (memberId: string) => {
      const input = { merchantId: shop, memberId, orderId: nextOrder(), amount: 100 };
      return campaignPoints((await ok(PREVIEW, { input }, tokens.partner(shop))).previewPurchase);
    };
    const buy = (memberId: string) =>
      ok(RECORD, { input: { merchantId: shop, memberId, orderId: nextOrder(), amount: 100 } }, admin);
    expect(await bonus(a)).toBe(10);
    await buy(a);
    // a's cap leaves 5; the budget 15.
    expect(await bonus(a)).toBe(5);
    expect(await bonus(c)).toBe(10);
    await buy(b);
    // The budget leaves 5 for anyone; a preview never gives more than a purchase would.
    expect(await bonus(c)).toBe(5);
    const bought = await buy(c);
    expect(campaignPoints(bought.recordPurchase.awards)).toBe(5);
    expect(await bonus(a)).toBe(0);
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
    expect(await balance(who)).toBe(15);
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
      { ...input, orderId: 'has space' },
      { ...input, orderId: 'x'.repeat(65) },
    ];
    for (const b of bad) {
      const res = await gql(RECORD, { input: b }, admin);
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    const chinese = await ok(
      RECORD,
      { input: { ...input, merchantId: other, orderId: '订单:2026/001' } },
      admin,
    );
    expect(chinese.recordPurchase.purchase.orderId).toBe('订单:2026/001');
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

  it('loses and doubles no points when the ledger stops mid-run and comes back', async () => {
    const m = await merchant();
    const who = await member();
    const partner = tokens.partner(m);
    await ok(RECORD, { input: { merchantId: m, memberId: who, orderId: 'OUT-1', amount: 1000 } }, partner);
    expect(await balance(who)).toBe(10);

    await graph().stopService('ledger');
    const during = await ok(
      RECORD,
      { input: { merchantId: m, memberId: who, orderId: 'OUT-2', amount: 2000 } },
      partner,
    );
    expect(during.recordPurchase.awards).toEqual([
      expect.objectContaining({ points: 20, status: 'PENDING' }),
    ]);
    const retried = await ok(
      RECORD,
      { input: { merchantId: m, memberId: who, orderId: 'OUT-2', amount: 2000 } },
      partner,
    );
    expect(retried.recordPurchase.purchase.id).toBe(during.recordPurchase.purchase.id);
    const refund = await ok(
      REFUND,
      { input: { merchantId: m, orderId: 'OUT-1', amount: 500, refundId: 'OUT-R' } },
      partner,
    );
    expect(refund.refundPurchase.reversals).toEqual([
      expect.objectContaining({ points: -5, status: 'PENDING' }),
    ]);
    const pendingNow = await ok('{ pendingLedgerPostings }', {}, admin);
    // These two at least (a slow machine may still be posting earlier tests' points).
    expect(pendingNow.pendingLedgerPostings).toBeGreaterThanOrEqual(2);

    await graph().restartService('ledger');
    await eventually(
      async () => (await ok('{ pendingLedgerPostings }', {}, admin)).pendingLedgerPostings === 0,
      30_000,
      200,
    );
    expect(await balance(who)).toBe(25);
    const replay = await ok(
      RECORD,
      { input: { merchantId: m, memberId: who, orderId: 'OUT-2', amount: 2000 } },
      partner,
    );
    expect(replay.recordPurchase.awards).toEqual([expect.objectContaining({ points: 20, status: 'POSTED' })]);
    const history = await ok(
      'query($id: ID!) { member(id: $id) { history(first: 50) { edges { node { type points merchant { id } } } } } }',
      { id: who },
      admin,
    );
    const entries = history.member.history.edges.map(
      (e: { node: { type: string; points: number } }) => e.node,
    );
    expect(
      entries
        .filter((e: { type: string }) => e.type === 'EARN')
        .map((e: { points: number }) => e.points)
        .sort(),
    ).toEqual([10, 20]);
    expect(
      entries.filter((e: { type: string }) => e.type === 'REVERSE').map((e: { points: number }) => e.points),
    ).toEqual([-5]);
    // Every entry names the merchant, refunds included (the trail regulators audit).
    expect(entries.every((e: { merchant: { id: string } | null }) => e.merchant?.id === m)).toBe(true);
    expect(await balance(who)).toBe(25);
  });

  it('resolves purchase lists with a constant number of queries (DataLoaders)', async () => {
    const m = await merchant();
    const who = await member();
    await ok(
      CREATE_CAMPAIGN,
      {
        input: {
          name: 'Listing bonus',
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          merchantId: m,
          bonusPoints: 5,
        },
      },
      admin,
    );
    for (let i = 0; i < 8; i++) {
      await ok(
        RECORD,
        { input: { merchantId: m, memberId: who, orderId: `LIST-${i}`, amount: 1000 + i } },
        admin,
      );
    }
    const LIST = `query($m: ID, $n: Int) { purchases(merchantId: $m, first: $n) { edges { node {
      id orderId member { id displayName } merchant { id name } awards { points status campaign { id name terms } }
    } } } }`;
    const queries = graph().services.campaigns!.runtime.db.queries;
    // Background pollers (event outbox, ledger postings) are not part of the request.
    const background = /outbox_events|inbox_events|WHERE[\s\S]*nextAttemptAt/i;
    const count = async (n: number) => {
      queries.reset(true);
      const res = await ok(LIST, { m, n }, admin);
      expect(res.purchases.edges).toHaveLength(n);
      expect(res.purchases.edges[0].node.member.displayName).toBe('Member');
      expect(res.purchases.edges[0].node.awards[1].campaign.name).toBe('Listing bonus');
      return queries.statements.filter((q) => !background.test(q)).length;
    };
    // Measure with no posting in flight from the purchases above.
    await eventually(
      async () => (await ok('{ pendingLedgerPostings }', {}, admin)).pendingLedgerPostings === 0,
      30_000,
      100,
    );
    const small = await count(2);
    const large = await count(8);
    expect(large).toBe(small);
    expect(small).toBeLessThanOrEqual(4);
  });

  it('gives a first-order bonus exactly once and never exceeds a budget, under concurrency', async () => {
    const m = await merchant();
    const since = new Date(Date.now() - 60_000).toISOString();
    await ok(
      CREATE_CAMPAIGN,
      {
        input: {
          name: 'First at shop',
          startsAt: since,
          merchantId: m,
          bonusPoints: 40,
          firstOrderOnly: 'MERCHANT',
        },
      },
      admin,
    );
    const who = await member();
    const firsts = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ok(RECORD, { input: { merchantId: m, memberId: who, orderId: `FO-${i}`, amount: 100 } }, admin),
      ),
    );
    const bonuses = firsts.filter((r) =>
      r.recordPurchase.awards.some((a: Award) => a.rule.startsWith('campaign:')),
    );
    expect(bonuses).toHaveLength(1);
    expect(await balance(who)).toBe(10 + 40);

    const shop = await merchant();
    await ok(
      CREATE_CAMPAIGN,
      {
        input: {
          name: 'Limited',
          startsAt: since,
          merchantId: shop,
          bonusPoints: 10,
          budget: 50,
          perMemberCap: 10,
        },
      },
      admin,
    );
    const buyers = await Promise.all(Array.from({ length: 8 }, () => member()));
    const results = await Promise.all(
      buyers.map((b, i) =>
        ok(RECORD, { input: { merchantId: shop, memberId: b, orderId: `BUD-${i}`, amount: 100 } }, admin),
      ),
    );
    const given = results
      .flatMap((r) => r.recordPurchase.awards)
      .filter((a: Award) => a.rule.startsWith('campaign:'));
    expect(given.reduce((t: number, a: Award) => t + a.points, 0)).toBe(50);
    const again = await ok(
      RECORD,
      { input: { merchantId: shop, memberId: buyers[0], orderId: 'BUD-X', amount: 100 } },
      admin,
    );
    expect(sum(again.recordPurchase.awards)).toBe(1);
    const limitedId = (given[0] as Award & { campaign: { id: string } }).campaign.id;
    const listed = await ok('query($id: ID!) { campaign(id: $id) { awardedPoints budget } }', {
      id: limitedId,
    });
    expect(listed.campaign).toEqual({ awardedPoints: 50, budget: 50 });
  });

  it("gives a campaign's points their own validity and uses a merchant's own rate", async () => {
    const m = await merchant();
    await ok(
      'mutation($i: SetEarnRateInput!) { setMerchantEarnRate(input: $i) { description } }',
      { i: { merchantId: m, points: 2, per: 100 } },
      admin,
    );
    await ok(
      CREATE_CAMPAIGN,
      {
        input: {
          name: 'Flash points',
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          merchantId: m,
          bonusPoints: 5,
          validity: 'P7D',
        },
      },
      admin,
    );
    const who = await member();
    const res = await ok(
      RECORD,
      { input: { merchantId: m, memberId: who, orderId: nextOrder(), amount: 1000 } },
      admin,
    );
    const [base, flash] = res.recordPurchase.awards;
    expect(base).toMatchObject({ points: 20, status: 'POSTED' });
    expect(flash).toMatchObject({ points: 5, status: 'POSTED' });
    const days = (iso: string) => (new Date(iso).getTime() - Date.now()) / 86_400_000;
    expect(days(flash.expiresAt)).toBeGreaterThan(6.9);
    expect(days(flash.expiresAt)).toBeLessThan(7.1);
    expect(days(base.expiresAt)).toBeGreaterThan(360);
    const mine = await ok(
      '{ me { purchases { edges { node { orderId awards { points } } } } } }',
      {},
      tokens.member(who),
    );
    expect(mine.me.purchases.edges).toHaveLength(1);
    const otherMember = await gql(
      'query($id: ID!) { member(id: $id) { purchases { edges { node { id } } } } }',
      { id: who },
      tokens.member(await member()),
    );
    expect(otherMember.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('rewards a personal benefit plan once when spending in the period reaches the target (R8)', async () => {
    const m = await merchant('jewellery');
    await ok(
      CREATE_CAMPAIGN,
      {
        input: {
          name: 'Spend 100, get 100',
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          merchantCategory: 'jewellery',
          bonusPoints: 100,
          spendTarget: 10_000,
        },
      },
      admin,
    );
    const who = await member();
    const buy = async (amount: number) =>
      sum(
        (await ok(RECORD, { input: { merchantId: m, memberId: who, orderId: nextOrder(), amount } }, admin))
          .recordPurchase.awards,
      );
    expect(await buy(6000)).toBe(60);
    expect(await buy(5000)).toBe(150);
    expect(await buy(3000)).toBe(30);
    expect(await balance(who)).toBe(240);
  });

  it('never takes a balance below zero on refund: the shortfall is recorded', async () => {
    const m = await merchant();
    const who = await member();
    await ok(RECORD, { input: { merchantId: m, memberId: who, orderId: 'SHORT-1', amount: 8000 } }, admin);
    await ok(
      'mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { id } }',
      { i: { memberId: who, points: -60, reason: 'Spent elsewhere', idempotencyKey: `spend-${who}` } },
      admin,
    );
    const refund = await ok(
      'mutation($i: RefundInput!) { refundPurchase(input: $i) { reversals { kind points shortfall status } } }',
      { i: { merchantId: m, orderId: 'SHORT-1', refundId: 'SHORT-R' } },
      admin,
    );
    expect(refund.refundPurchase.reversals).toEqual([
      { kind: 'REGULAR', points: -80, shortfall: 60, status: 'POSTED' },
    ]);
    expect(await balance(who)).toBe(0);
  });

  it('lets the operator update and end a campaign; partners cannot', async () => {
    const m = await merchant();
    const since = new Date(Date.now() - 60_000).toISOString();
    const c = (
      await ok(
        CREATE_CAMPAIGN,
        { input: { name: 'Weekend', startsAt: since, merchantId: m, bonusPoints: 3 } },
        admin,
      )
    ).createCampaign;
    const UPDATE =
      'mutation($id: ID!, $i: UpdateCampaignInput!) { updateCampaign(id: $id, input: $i) { name budget } }';
    expect(
      (await gql(UPDATE, { id: c.id, i: { name: 'x' } }, tokens.partner(m))).errors?.[0].extensions?.code,
    ).toBe('FORBIDDEN');
    const updated = await ok(UPDATE, { id: c.id, i: { name: 'Long weekend', budget: 100 } }, admin);
    expect(updated.updateCampaign).toEqual({ name: 'Long weekend', budget: 100 });
    const who = await member();
    const before = await ok(
      RECORD,
      { input: { merchantId: m, memberId: who, orderId: nextOrder(), amount: 100 } },
      admin,
    );
    expect(sum(before.recordPurchase.awards)).toBe(4);
    await ok('mutation($id: ID!) { endCampaign(id: $id) { status } }', { id: c.id }, admin);
    const after = await ok(
      RECORD,
      { input: { merchantId: m, memberId: who, orderId: nextOrder(), amount: 100 } },
      admin,
    );
    expect(sum(after.recordPurchase.awards)).toBe(1);
    const missing = await gql(
      UPDATE,
      { id: '00000000-0000-0000-0000-000000000000', i: { name: 'y' } },
      admin,
    );
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('reminds members inactive for 3 months whose points are about to expire, once, with a points-plus-cash offer (R10)', async () => {
    const offers: EventEnvelope<typeof Topics.memberRecallOffered>[] = [];
    const stop = await graph().transport.listen(Topics.memberRecallOffered, (e) => offers.push(e));
    const m = await merchant();
    const idle = await member();
    const refunded = await member();
    await ok(RECORD, { input: { merchantId: m, memberId: idle, orderId: 'IDLE-1', amount: 4200 } }, admin);
    await ok(
      RECORD,
      { input: { merchantId: m, memberId: refunded, orderId: 'IDLE-2', amount: 4200 } },
      admin,
    );
    await ok(REFUND, { input: { merchantId: m, orderId: 'IDLE-2', refundId: 'IDLE-R' } }, admin);
    const app = graph().services.campaigns!.app as CampaignsApp;
    // Not inactive yet: nothing.
    await app.recall.sweep();
    // 340 days on: inactive for > 90 days, and the points (valid P1Y) expire within 30 days.
    const later = new Date(Date.now() + 340 * 86_400_000);
    expect(await app.recall.sweep(later)).toBeGreaterThanOrEqual(1);
    expect(await app.recall.sweep(later)).toBe(0);
    await eventually(async () => offers.some((o) => o.payload.memberId === idle), 10_000, 50);
    const mine = offers.filter((o) => o.payload.memberId === idle);
    expect(mine).toHaveLength(1);
    expect(mine[0].payload).toMatchObject({ points: 42, offer: { type: 'POINTS_PLUS_CASH' } });
    expect(offers.some((o) => o.payload.memberId === refunded)).toBe(false);
    await stop();
  });

  it('needs 30 days of notice to shorten validity, and announces it (L6)', async () => {
    const SCHEDULE =
      'mutation($i: ValidityChangeInput!) { scheduleValidityChange(input: $i) { validity effectiveAt } }';
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString();
    const tooSoon = await gql(
      SCHEDULE,
      { i: { validity: 'P6M', effectiveAt: soon, reason: 'Simpler terms' } },
      admin,
    );
    expect(tooSoon.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const notice = new Date(Date.now() + 31 * 86_400_000).toISOString();
    const scheduled = await ok(
      SCHEDULE,
      { i: { validity: 'P6M', effectiveAt: notice, reason: 'Simpler terms' } },
      admin,
    );
    expect(scheduled.scheduleValidityChange.validity).toBe('P6M');
    // Lengthening needs no notice; partners cannot change terms.
    const longer = await ok(
      SCHEDULE,
      { i: { validity: 'P2Y', effectiveAt: soon, reason: 'Goodwill' } },
      admin,
    );
    expect(longer.scheduleValidityChange.validity).toBe('P2Y');
    expect(
      (await gql(SCHEDULE, { i: { validity: 'P2Y', effectiveAt: soon, reason: 'x' } }, tokens.partner('m')))
        .errors?.[0].extensions?.code,
    ).toBe('FORBIDDEN');
    const terms = await ok('{ programTerms { pointsValidity upcomingValidityChanges { validity } rules } }');
    expect(terms.programTerms.pointsValidity).toBe('P1Y');
    expect(terms.programTerms.upcomingValidityChanges.map((c: { validity: string }) => c.validity)).toEqual([
      'P2Y',
      'P6M',
    ]);

    // A change in effect applies to points earned from then on (here a lengthening, due in 3 seconds).
    const effective = new Date(Date.now() + 3000);
    await ok(
      SCHEDULE,
      {
        i: { validity: 'P3Y', effectiveAt: effective.toISOString(), reason: 'Anniversary' },
      },
      admin,
    );
    await eventually(
      async () => (await ok('{ programTerms { pointsValidity } }')).programTerms.pointsValidity === 'P3Y',
    );
    const m = await merchant();
    const res = await ok(
      RECORD,
      { input: { merchantId: m, memberId: await member(), orderId: nextOrder(), amount: 100 } },
      admin,
    );
    const years =
      (new Date(res.recordPurchase.awards[0].expiresAt).getTime() - Date.now()) / (365 * 86_400_000);
    expect(years).toBeGreaterThan(2.99);
    expect((await ok('{ programTerms { pointsValidity } }')).programTerms.pointsValidity).toBe('P3Y');
  });

  it('gives the sign-up bonus of a sign-up campaign to new members, within its budget', async () => {
    const created = await ok(
      CREATE_CAMPAIGN,
      {
        input: {
          name: 'Welcome gift',
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          signUpBonus: 20,
          budget: 30,
        },
      },
      admin,
    );
    const first = await member();
    const second = await member();
    await eventually(
      async () => (await balance(first)) === 20 && (await balance(second)) === 10,
      15_000,
      200,
    );
    await ok(
      'mutation($id: ID!) { endCampaign(id: $id) { status } }',
      { id: created.createCampaign.id },
      admin,
    );
    const ended = await ok('{ campaigns(includeEnded: true) { name status } }');
    expect(ended.campaigns).toContainEqual({ name: 'Welcome gift', status: 'ENDED' });
  });
});
