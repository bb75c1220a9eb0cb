import { randomUUID } from 'node:crypto';
import { Topics, type EventEnvelope } from '@loyalty/platform';
import { eventually, SimulatedCrash } from '@loyalty/testing';
import { CatalogHarness } from './support/harness';

const REDEMPTION = `query($id: ID!) { redemption(id: $id) { id status points compensationPoints cancelReason
  transitions { from to actor reason } } }`;

/** The catalog in the whole graph, the real ledger included, everything through the gateway. */
describe('catalog through the gateway', () => {
  const h = new CatalogHarness();
  let dining: string;
  let stationery: string;

  beforeAll(async () => {
    await h.start();
    dining = await h.merchant('Fast Food Co', 'dining');
    stationery = await h.merchant('Paper & Pen', 'stationery');
  });
  afterAll(() => h.stop());

  const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) =>
    res.errors?.[0]?.extensions?.code;

  describe("the seeds' examples", () => {
    it('200 points buy a 25-yuan set meal', async () => {
      const meal = await h.reward(
        { name: '25-yuan set meal', kind: 'GOODS', pointsPrice: 200, merchantId: dining },
        h.tokens.partner(dining),
      );
      const m = await h.member('Meal Eater');
      await h.give(m, 200);
      const res = await h.redeem({ rewardId: meal, idempotencyKey: 'meal-1' }, h.tokens.member(m));
      expect(res.errors).toBeUndefined();
      expect(res.data!.redeemReward).toMatchObject({
        status: 'CONFIRMED',
        points: 200,
        cashAmount: 0,
        quantity: 1,
        reward: { id: meal },
        member: { id: m },
      });
      expect(await h.balance(m)).toBe(0);
      expect(await h.held(m)).toBe(0);
      // The member sees the redemption in their history.
      expect((await h.history(m)).filter((e) => e.type === 'REDEEM')).toEqual([
        expect.objectContaining({ points: -200 }),
      ]);
    });

    it('1000 points buy a 50-yuan coupon ("50 off 200")', async () => {
      const coupon = await h.reward(
        {
          name: '50 off 200',
          kind: 'COUPON',
          pointsPrice: 1000,
          merchantId: dining,
          terms: 'Bills of 200 yuan or more',
        },
        h.tokens.partner(dining),
      );
      const m = await h.member('Coupon Fan');
      await h.give(m, 1500);
      const res = await h.redeem({ rewardId: coupon, idempotencyKey: 'coupon' }, h.tokens.member(m));
      expect(res.data!.redeemReward).toMatchObject({ status: 'CONFIRMED', points: 1000 });
      expect(await h.balance(m)).toBe(500);
    });

    it('the 500-point notebook set costs 400 in its discount window and 500 outside it', async () => {
      // The member first, so that only creating the reward and redeeming it fall in the short window.
      const m = await h.member('Student');
      await h.give(m, 900);
      const now = Date.now();
      const notebook = await h.reward(
        {
          name: 'Notebook set',
          kind: 'GOODS',
          pointsPrice: 500,
          merchantId: stationery,
          priceRules: [
            {
              label: 'Back-to-school week',
              pointsPrice: 400,
              startsAt: new Date(now - 60_000).toISOString(),
              endsAt: new Date(now + 2_500).toISOString(),
            },
          ],
        },
        h.tokens.partner(stationery),
      );
      const inWindow = await h.redeem({ rewardId: notebook, idempotencyKey: 'nb-1' }, h.tokens.member(m));
      expect(inWindow.data!.redeemReward).toMatchObject({ status: 'CONFIRMED', points: 400 });
      expect(await h.balance(m)).toBe(500);
      // Once the catalog itself prices it at the list price again, the window is over.
      await eventually(
        async () =>
          (await h.ok('query($id: ID!) { reward(id: $id) { pointsPrice } }', { id: notebook })).reward
            .pointsPrice === 500,
      );
      const outside = await h.redeem({ rewardId: notebook, idempotencyKey: 'nb-2' }, h.tokens.member(m));
      expect(outside.data!.redeemReward).toMatchObject({ status: 'CONFIRMED', points: 500 });
      expect(await h.balance(m)).toBe(0);
    });

    it('records the cash part of points-plus-cash as an amount owed, never as points (L10)', async () => {
      const pen = await h.reward({
        name: 'Fountain pen',
        kind: 'GOODS',
        pointsPrice: 1000,
        cashPrice: 1990,
        merchantId: stationery,
      });
      const m = await h.member('Pen Lover');
      await h.give(m, 2000);
      const res = await h.redeem({ rewardId: pen, idempotencyKey: 'pen', quantity: 2 }, h.tokens.member(m));
      expect(res.data!.redeemReward).toMatchObject({ points: 2000, cashAmount: 3980, quantity: 2 });
      expect(await h.balance(m)).toBe(0);
    });
  });

  describe('green points (C2)', () => {
    it('eco goods take green points only; a reward accepting either kind may be paid in green', async () => {
      const eco = await h.reward({
        name: 'Degradable lunch box',
        kind: 'GOODS',
        pointsPrice: 80,
        pointKind: 'GREEN',
      });
      const either = await h.reward({
        name: 'Bus pass top-up',
        kind: 'TICKET',
        pointsPrice: 50,
        acceptsAnyKind: true,
      });
      const m = await h.member('Green Commuter');
      await h.give(m, 200, 'GREEN');
      await h.give(m, 10, 'REGULAR');
      const token = h.tokens.member(m);
      expect(
        (await h.redeem({ rewardId: eco, idempotencyKey: 'eco' }, token)).data!.redeemReward.status,
      ).toBe('CONFIRMED');
      expect(
        codeOf(await h.redeem({ rewardId: eco, idempotencyKey: 'eco-r', pointKind: 'REGULAR' }, token)),
      ).toBe('BAD_USER_INPUT');
      expect(codeOf(await h.redeem({ rewardId: either, idempotencyKey: 'bus-r' }, token))).toBe(
        'INSUFFICIENT_POINTS',
      );
      const paid = await h.redeem({ rewardId: either, idempotencyKey: 'bus-g', pointKind: 'GREEN' }, token);
      expect(paid.data!.redeemReward.status).toBe('CONFIRMED');
      expect(await h.balance(m, 'GREEN')).toBe(200 - 80 - 50);
      expect(await h.balance(m, 'REGULAR')).toBe(10);
      const bad = await h.gql(
        'mutation { createReward(input: { name: "X", kind: GOODS, pointsPrice: 5, pointKind: GREEN, acceptsAnyKind: true }) { id } }',
        {},
        h.tokens.admin(),
      );
      expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    });
  });

  describe('idempotency', () => {
    it('replays a retried redemption and refuses the key for different parameters', async () => {
      const r = await h.reward({ name: 'Tea', kind: 'GOODS', pointsPrice: 10, stock: 5 });
      const m = await h.member('Retrier');
      await h.give(m, 100);
      const token = h.tokens.member(m);
      const [a, b] = await Promise.all([
        h.redeem({ rewardId: r, idempotencyKey: 'k' }, token),
        h.redeem({ rewardId: r, idempotencyKey: 'k' }, token),
      ]);
      const c = await h.redeem({ rewardId: r, idempotencyKey: 'k' }, token);
      expect(a.data!.redeemReward.id).toBe(b.data!.redeemReward.id);
      expect(c.data!.redeemReward.id).toBe(a.data!.redeemReward.id);
      expect(await h.balance(m)).toBe(90);
      expect(await h.stock(r)).toBe(4);
      const conflict = await h.redeem({ rewardId: r, idempotencyKey: 'k', quantity: 2 }, token);
      expect(codeOf(conflict)).toBe('CONFLICT');
      expect(await h.balance(m)).toBe(90);
    });
  });

  describe('concurrency', () => {
    it('12 concurrent 100-point redemptions with 500 points: exactly 5 succeed', async () => {
      const r = await h.reward({ name: 'Snack', kind: 'GOODS', pointsPrice: 100, stock: 100 });
      const m = await h.member('Hasty');
      await h.give(m, 500);
      const token = h.tokens.member(m);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => h.redeem({ rewardId: r, idempotencyKey: `c${i}` }, token)),
      );
      const ok = results.filter((x) => !x.errors);
      expect(ok).toHaveLength(5);
      expect(results.filter((x) => codeOf(x) === 'INSUFFICIENT_POINTS')).toHaveLength(7);
      expect(ok.every((x) => x.data!.redeemReward.status === 'CONFIRMED')).toBe(true);
      expect(await h.balance(m)).toBe(0);
      expect(await h.held(m)).toBe(0);
      expect(await h.stock(r)).toBe(95);
      const list = await h.ok(
        'query($id: ID!) { member(id: $id) { redemptions(first: 20) { edges { node { status } } } } }',
        { id: m },
        token,
      );
      const statuses = list.member.redemptions.edges
        .map((e: { node: { status: string } }) => e.node.status)
        .sort();
      // The refused seven left no redemption behind.
      expect(statuses).toEqual(Array(5).fill('CONFIRMED'));
    });

    it('stock of 3 with 10 concurrent buyers: exactly 3 succeed', async () => {
      const r = await h.reward({ name: 'Limited mug', kind: 'GOODS', pointsPrice: 50, stock: 3 });
      const buyers = await Promise.all(Array.from({ length: 10 }, (_, i) => h.member(`Buyer ${i}`)));
      for (const b of buyers) await h.give(b, 80);
      const results = await Promise.all(
        buyers.map((b, i) => h.redeem({ rewardId: r, idempotencyKey: `mug-${i}` }, h.tokens.member(b))),
      );
      expect(results.filter((x) => !x.errors)).toHaveLength(3);
      expect(results.filter((x) => codeOf(x) === 'OUT_OF_STOCK')).toHaveLength(7);
      expect(await h.stock(r)).toBe(0);
      const balances = (await Promise.all(buyers.map((b) => h.balance(b)))).sort((a, b) => a - b);
      expect(balances).toEqual([30, 30, 30, 80, 80, 80, 80, 80, 80, 80]);
      expect((await Promise.all(buyers.map((b) => h.held(b)))).reduce((s, n) => s + n, 0)).toBe(0);
    });

    it('per-member limits hold under concurrency', async () => {
      const r = await h.reward({
        name: 'Once a member',
        kind: 'SERVICE',
        pointsPrice: 10,
        perMemberLimit: 2,
      });
      const m = await h.member('Greedy');
      await h.give(m, 1000);
      const token = h.tokens.member(m);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => h.redeem({ rewardId: r, idempotencyKey: `l${i}` }, token)),
      );
      expect(results.filter((x) => !x.errors)).toHaveLength(2);
      expect(results.filter((x) => codeOf(x) === 'LIMIT_REACHED')).toHaveLength(4);
      expect(await h.balance(m)).toBe(980);
    });
  });

  describe('crash recovery', () => {
    it('a catalog process killed between hold and capture is finished on restart: no dangling hold, no lost points', async () => {
      const r = await h.reward({ name: 'Cleaning service', kind: 'SERVICE', pointsPrice: 300, stock: 10 });
      const m = await h.member('Unlucky');
      await h.give(m, 1000);
      h.app.redemptions.hooks.afterHold = async () => {
        throw new SimulatedCrash('process killed after the hold');
      };
      const crashed = await h.redeem({ rewardId: r, idempotencyKey: 'crash' }, h.tokens.member(m));
      expect(crashed.errors).toBeDefined();
      expect(await h.held(m)).toBe(300); // the hold is out there, nothing recorded it yet
      expect(await h.balance(m)).toBe(700);
      const restarted = await h.restartCatalog();
      const swept = await restarted.app.recovery.sweep({ staleAfterMs: 0 });
      expect(swept.recovered).toBeGreaterThanOrEqual(1);
      expect(await h.held(m)).toBe(0);
      expect(await h.balance(m)).toBe(700);
      const list = await h.ok(
        'query($id: ID!) { member(id: $id) { redemptions { edges { node { id status points transitions { from to actor } } } } } }',
        { id: m },
        h.tokens.member(m),
      );
      const [node] = list.member.redemptions.edges.map((e: { node: unknown }) => e.node);
      expect(node).toMatchObject({ status: 'CONFIRMED', points: 300 });
      expect(node.transitions).toEqual([
        { from: null, to: 'PENDING', actor: `member:${m}` },
        { from: 'PENDING', to: 'CONFIRMED', actor: 'system:recovery' },
      ]);
      // Retrying the request returns the same, now confirmed, redemption.
      const retry = await h.redeem({ rewardId: r, idempotencyKey: 'crash' }, h.tokens.member(m));
      expect(retry.data!.redeemReward).toMatchObject({ id: node.id, status: 'CONFIRMED' });
      expect(await h.balance(m)).toBe(700);
      expect(await h.stock(r)).toBe(9);
      expect((await h.history(m)).filter((e) => e.type === 'REDEEM')).toEqual([
        expect.objectContaining({ points: -300 }),
      ]);
    });
  });

  describe('cancel, fulfil, delist', () => {
    it('a member cancels before fulfilment: points and stock back, no compensation', async () => {
      const r = await h.reward(
        { name: 'Consultation', kind: 'SERVICE', pointsPrice: 150, stock: 4, merchantId: dining },
        h.tokens.partner(dining),
      );
      const m = await h.member('Changed Mind');
      await h.give(m, 150);
      const id = (await h.redeem({ rewardId: r, idempotencyKey: 'x' }, h.tokens.member(m))).data!.redeemReward
        .id;
      const other = await h.member('Nosy');
      const forbidden = await h.gql(
        'mutation($id: ID!) { cancelRedemption(id: $id, reason: "mine now") { id } }',
        { id },
        h.tokens.member(other),
      );
      expect(codeOf(forbidden)).toBe('FORBIDDEN');
      const res = await h.ok(
        'mutation($id: ID!) { cancelRedemption(id: $id, reason: "changed my mind") { status compensationPoints } }',
        { id },
        h.tokens.member(m),
      );
      expect(res.cancelRedemption).toEqual({ status: 'CANCELLED', compensationPoints: 0 });
      expect(await h.balance(m)).toBe(150);
      expect(await h.stock(r)).toBe(4);
      const again = await h.ok(
        'mutation($id: ID!) { cancelRedemption(id: $id, reason: "again") { status } }',
        { id },
        h.tokens.member(m),
      );
      expect(again.cancelRedemption.status).toBe('CANCELLED');
      expect(await h.balance(m)).toBe(150);
    });

    it("a partner redeems its own merchant's reward for a member in store; the member sees it", async () => {
      const r = await h.reward(
        { name: 'Side dish', kind: 'GOODS', pointsPrice: 30, merchantId: dining },
        h.tokens.partner(dining),
      );
      const m = await h.member('Walk-in');
      await h.give(m, 30);
      // The member's consent at the till: the code their app shows (e2e/test/members/member-codes).
      const { issueMemberCode } = await h.ok('mutation { issueMemberCode { code } }', {}, h.tokens.member(m));
      const res = await h.redeem(
        { rewardId: r, memberId: m, idempotencyKey: 'order-778', memberCode: issueMemberCode.code },
        h.tokens.partner(dining),
      );
      expect(res.data!.redeemReward).toMatchObject({ status: 'CONFIRMED', member: { id: m } });
      const id = res.data!.redeemReward.id;
      // The key is the partner's own: the same key from another caller is another request.
      const own = await h.ok(REDEMPTION, { id }, h.tokens.member(m));
      expect(own.redemption.transitions[0]).toMatchObject({ actor: `partner:${dining}` });
      const other = await h.gql(REDEMPTION, { id }, h.tokens.partner(stationery));
      expect(codeOf(other)).toBe('FORBIDDEN');
      expect(await h.balance(m)).toBe(0);
    });

    it('only the merchant or the operator fulfils; members cannot cancel afterwards; the trail has who and why', async () => {
      const r = await h.reward(
        { name: 'Custom design', kind: 'SERVICE', pointsPrice: 100, merchantId: dining },
        h.tokens.partner(dining),
      );
      const m = await h.member('Designer Fan');
      await h.give(m, 100);
      const id = (await h.redeem({ rewardId: r, idempotencyKey: 'd' }, h.tokens.member(m))).data!.redeemReward
        .id;
      const wrongPartner = await h.gql(
        'mutation($id: ID!) { fulfillRedemption(id: $id) { id } }',
        { id },
        h.tokens.partner(stationery),
      );
      expect(codeOf(wrongPartner)).toBe('FORBIDDEN');
      const asMember = await h.gql(
        'mutation($id: ID!) { fulfillRedemption(id: $id) { id } }',
        { id },
        h.tokens.member(m),
      );
      expect(codeOf(asMember)).toBe('FORBIDDEN');
      await h.ok(
        'mutation($id: ID!) { fulfillRedemption(id: $id, note: "Delivered in store") { status } }',
        { id },
        h.tokens.partner(dining),
      );
      const late = await h.gql(
        'mutation($id: ID!) { cancelRedemption(id: $id, reason: "too late") { id } }',
        { id },
        h.tokens.member(m),
      );
      expect(codeOf(late)).toBe('CONFLICT');
      const read = await h.ok(REDEMPTION, { id }, h.tokens.partner(dining));
      expect(read.redemption.transitions).toEqual([
        { from: null, to: 'PENDING', actor: `member:${m}`, reason: 'Redemption requested' },
        { from: 'PENDING', to: 'CONFIRMED', actor: `member:${m}`, reason: 'Points captured' },
        { from: 'CONFIRMED', to: 'FULFILLED', actor: `partner:${dining}`, reason: 'Delivered in store' },
      ]);
      expect(await h.balance(m)).toBe(0);
    });

    it("a partner lists its own merchant's redemptions to fulfil, and only its own", async () => {
      const bakery = await h.merchant('Bakery', 'dining');
      const r = await h.reward({ name: 'Croissant', kind: 'GOODS', pointsPrice: 20, merchantId: bakery });
      const m = await h.member('Croissant fan');
      await h.give(m, 60);
      for (const k of ['a', 'b', 'c'])
        await h.redeem({ rewardId: r, idempotencyKey: `cr-${k}` }, h.tokens.member(m));
      const list = (token: string, vars: Record<string, unknown> = {}) =>
        h.gql(
          'query($m: ID, $s: RedemptionStatus) { redemptions(merchantId: $m, status: $s, first: 10) { edges { node { id status member { id } } } } }',
          vars,
          token,
        );
      const first = (await list(h.tokens.partner(bakery))).data!.redemptions.edges;
      expect(first).toHaveLength(3);
      await h.ok(
        'mutation($id: ID!) { fulfillRedemption(id: $id) { id } }',
        { id: first[0].node.id },
        h.tokens.partner(bakery),
      );
      const open = (await list(h.tokens.partner(bakery), { s: 'CONFIRMED' })).data!.redemptions.edges;
      expect(open).toHaveLength(2);
      expect(codeOf(await list(h.tokens.partner(dining), { m: bakery }))).toBe('FORBIDDEN');
      expect(codeOf(await list(h.tokens.member(m)))).toBe('FORBIDDEN');
      expect((await list(h.tokens.admin(), { m: bakery })).data!.redemptions.edges).toHaveLength(3);
    });

    it('delisting cancels open redemptions, returns the points and grants 10% compensation (at least 1)', async () => {
      const r = await h.reward(
        { name: 'Concert ticket', kind: 'TICKET', pointsPrice: 200, stock: 10, merchantId: dining },
        h.tokens.partner(dining),
      );
      const cheap = await h.reward(
        { name: 'Sticker', kind: 'GOODS', pointsPrice: 5, merchantId: dining },
        h.tokens.partner(dining),
      );
      const a = await h.member('Fan A');
      const b = await h.member('Fan B');
      await h.give(a, 400);
      await h.give(b, 5);
      const ra = (await h.redeem({ rewardId: r, idempotencyKey: 't', quantity: 2 }, h.tokens.member(a))).data!
        .redeemReward.id;
      const rb = (await h.redeem({ rewardId: cheap, idempotencyKey: 's' }, h.tokens.member(b))).data!
        .redeemReward.id;
      expect(await h.balance(a)).toBe(0);
      const otherPartner = await h.gql(
        'mutation($id: ID!) { delistReward(id: $id, reason: "x") { id } }',
        { id: r },
        h.tokens.partner(stationery),
      );
      expect(codeOf(otherPartner)).toBe('FORBIDDEN');
      const outboxBefore = await h.count('outbox_events');
      const res = await h.ok(
        'mutation($id: ID!) { delistReward(id: $id, reason: "Concert cancelled by the organiser") { id active } }',
        { id: r },
        h.tokens.partner(dining),
      );
      expect(res.delistReward).toEqual({ id: r, active: false });
      await h.ok(
        'mutation($id: ID!) { delistReward(id: $id, reason: "Out of print") { active } }',
        { id: cheap },
        h.tokens.admin(),
      );
      const read = await h.ok(REDEMPTION, { id: ra }, h.tokens.member(a));
      expect(read.redemption).toMatchObject({
        status: 'CANCELLED',
        compensationPoints: 40,
        cancelReason: 'Reward delisted: Concert cancelled by the organiser',
      });
      expect(await h.balance(a)).toBe(400 + 40);
      expect((await h.history(a)).filter((e) => e.type === 'COMPENSATE')).toEqual([
        expect.objectContaining({
          points: 40,
          description: expect.stringContaining('Reward delisted: Concert cancelled by the organiser'),
        }),
      ]);
      expect((await h.ok(REDEMPTION, { id: rb }, h.tokens.member(b))).redemption.compensationPoints).toBe(1);
      expect(await h.balance(b)).toBe(5 + 1);
      // Two status changes and two compensations (redemption.compensated), nothing else.
      expect(await h.count('outbox_events')).toBe(outboxBefore + 4);
      // Delisted: no longer listed or redeemable.
      const again = await h.redeem({ rewardId: r, idempotencyKey: 't2' }, h.tokens.member(a));
      expect(codeOf(again)).toBe('BAD_USER_INPUT');
      expect(await h.balance(a)).toBe(440);
    });

    it('a delisting with a large backlog answers quickly and the sweeper settles the rest', async () => {
      const r = await h.reward({ name: 'Festival gift box', kind: 'GOODS', pointsPrice: 100 });
      const fans = await Promise.all(Array.from({ length: 30 }, (_, i) => h.member(`Box fan ${i}`)));
      for (const f of fans) await h.give(f, 100);
      for (const [i, f] of fans.entries())
        await h.redeem({ rewardId: r, idempotencyKey: `box-${i}` }, h.tokens.member(f));
      await h.ok(
        'mutation($id: ID!) { delistReward(id: $id, reason: "Supplier failed") { active } }',
        { id: r },
        h.tokens.admin(),
      );
      const settled = async () =>
        (await Promise.all(fans.map((f) => h.balance(f)))).filter((b) => b === 110).length;
      expect(await settled()).toBe(25);
      await h.app.recovery.sweep({ staleAfterMs: 0 });
      expect(await settled()).toBe(30);
    });
  });

  describe('eligibility', () => {
    it('tier-gated and personal rewards: refused with FORBIDDEN and left out of eligibleRewards', async () => {
      const gold = await h.reward({ name: 'Gold lounge', kind: 'SERVICE', pointsPrice: 10, minTier: 'GOLD' });
      const a = await h.member('Chosen One');
      const b = await h.member('Not Chosen');
      const personal = await h.reward({
        name: 'Private jewellery consultation',
        kind: 'SERVICE',
        pointsPrice: 10,
        offeredTo: [a],
      });
      const soldOut = await h.reward({ name: 'Sold out', kind: 'GOODS', pointsPrice: 10, stock: 0 });
      await h.give(a, 100);
      await h.give(b, 100);
      expect(codeOf(await h.redeem({ rewardId: gold, idempotencyKey: 'g' }, h.tokens.member(a)))).toBe(
        'FORBIDDEN',
      );
      expect(codeOf(await h.redeem({ rewardId: personal, idempotencyKey: 'p' }, h.tokens.member(b)))).toBe(
        'FORBIDDEN',
      );
      expect(codeOf(await h.redeem({ rewardId: soldOut, idempotencyKey: 'o' }, h.tokens.member(b)))).toBe(
        'OUT_OF_STOCK',
      );
      const eligible = async (m: string) =>
        (
          await h.ok(
            'query($id: ID!) { member(id: $id) { eligibleRewards(first: 100) { id } } }',
            { id: m },
            h.tokens.member(m),
          )
        ).member.eligibleRewards.map((r: { id: string }) => r.id);
      const forA = await eligible(a);
      const forB = await eligible(b);
      expect(forA).toContain(personal);
      expect(forB).not.toContain(personal);
      for (const ids of [forA, forB]) expect(ids).not.toEqual(expect.arrayContaining([gold]));
      expect(forB).not.toContain(soldOut);
      const publicList = await h.ok('{ rewards(first: 100) { edges { node { id } } } }');
      expect(publicList.rewards.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(
        personal,
      );
      const redeemed = await h.redeem({ rewardId: personal, idempotencyKey: 'p' }, h.tokens.member(a));
      expect(redeemed.data!.redeemReward.status).toBe('CONFIRMED');
    });
  });

  describe('tiers from the members subgraph', () => {
    it('a member who reaches GOLD by spending may redeem a GOLD reward; a REGULAR one may not', async () => {
      const lounge = await h.reward({
        name: 'Airport lounge',
        kind: 'SERVICE',
        pointsPrice: 100,
        minTier: 'GOLD',
      });
      const big = await h.member('Big Spender');
      const small = await h.member('Small Spender');
      await h.give(big, 100);
      await h.give(small, 100);
      // A purchase as the campaigns service reports it: 10,000 yuan of spending makes a GOLD member.
      await h.graph.transport.publish([
        {
          id: randomUUID(),
          topic: Topics.purchaseRecorded,
          key: big,
          source: 'campaigns',
          occurredAt: new Date().toISOString(),
          payload: {
            purchaseId: randomUUID(),
            merchantId: dining,
            memberId: big,
            orderId: 'o-1',
            amount: 1_000_000,
            occurredAt: new Date().toISOString(),
            firstPurchase: true,
            awards: [],
          },
        },
      ]);
      await eventually(
        async () =>
          (await h.ok('query($id: ID!) { member(id: $id) { tier } }', { id: big }, h.tokens.admin())).member
            .tier === 'GOLD',
      );
      expect(
        (await h.redeem({ rewardId: lounge, idempotencyKey: 'lounge' }, h.tokens.member(big))).data!
          .redeemReward.status,
      ).toBe('CONFIRMED');
      expect(
        codeOf(await h.redeem({ rewardId: lounge, idempotencyKey: 'lounge' }, h.tokens.member(small))),
      ).toBe('FORBIDDEN');
      const eligible = await h.ok(
        'query($id: ID!) { member(id: $id) { eligibleRewards(first: 100) { id } } }',
        { id: big },
        h.tokens.member(big),
      );
      expect(eligible.member.eligibleRewards.map((r: { id: string }) => r.id)).toContain(lounge);
    });
  });

  describe('bad input writes nothing', () => {
    it('refuses bad quantities, unknown or inactive rewards, bad prices and foreign merchants with clear codes', async () => {
      const r = await h.reward({
        name: 'Pen',
        kind: 'GOODS',
        pointsPrice: 10,
        stock: 5,
        merchantId: stationery,
      });
      const m = await h.member('Careless');
      await h.give(m, 100);
      const before = {
        rewards: await h.count('rewards'),
        redemptions: await h.count('redemptions'),
        rules: await h.count('price_rules'),
        holds: await h.ledgerRows('ledger_holds'),
        history: (await h.history(m)).length,
      };
      const member = h.tokens.member(m);
      const cases: [Promise<{ errors?: { extensions?: { code?: string } }[] }>, string][] = [
        [h.redeem({ rewardId: r, idempotencyKey: 'q0', quantity: 0 }, member), 'BAD_USER_INPUT'],
        [h.redeem({ rewardId: r, idempotencyKey: 'q-1', quantity: -1 }, member), 'BAD_USER_INPUT'],
        [h.redeem({ rewardId: r, idempotencyKey: 'q1.5', quantity: 1.5 }, member), 'BAD_USER_INPUT'],
        [h.redeem({ rewardId: 'no-such-reward', idempotencyKey: 'u' }, member), 'NOT_FOUND'],
        [h.redeem({ rewardId: r, idempotencyKey: 'z', memberId: 'someone-else' }, member), 'FORBIDDEN'],
        [h.redeem({ rewardId: r, idempotencyKey: 'anon' }, ''), 'UNAUTHENTICATED'],
        [h.redeem({ rewardId: r, idempotencyKey: 'pp', memberId: m }, h.tokens.partner(dining)), 'FORBIDDEN'],
        [h.redeem({ rewardId: r, idempotencyKey: 'nm' }, h.tokens.admin()), 'BAD_USER_INPUT'],
        [
          h.redeem({ rewardId: r, idempotencyKey: 'um', memberId: 'no-such-member' }, h.tokens.admin()),
          'NOT_FOUND',
        ],
        [
          h.gql(
            'mutation { createReward(input: { name: "X", kind: GOODS, pointsPrice: -5 }) { id } }',
            {},
            h.tokens.admin(),
          ),
          'BAD_USER_INPUT',
        ],
        [
          h.gql(
            'mutation { createReward(input: { name: "X", kind: GOODS, pointsPrice: 0 }) { id } }',
            {},
            h.tokens.admin(),
          ),
          'BAD_USER_INPUT',
        ],
        [
          h.gql(
            'mutation { createReward(input: { name: "X", kind: GOODS, pointsPrice: 2.5 }) { id } }',
            {},
            h.tokens.admin(),
          ),
          'BAD_USER_INPUT',
        ],
        [
          h.gql(
            'mutation { createReward(input: { name: "X", kind: GOODS, pointsPrice: 5, cashPrice: -1 }) { id } }',
            {},
            h.tokens.admin(),
          ),
          'BAD_USER_INPUT',
        ],
        [
          h.gql(
            'mutation { createReward(input: { name: "X", kind: GOODS, pointsPrice: 5, stock: -1 }) { id } }',
            {},
            h.tokens.admin(),
          ),
          'BAD_USER_INPUT',
        ],
        [
          h.gql(
            'mutation { createReward(input: { name: "X", kind: GOODS, pointsPrice: 5, minTier: "DIAMOND" }) { id } }',
            {},
            h.tokens.admin(),
          ),
          'BAD_USER_INPUT',
        ],
        [
          h.gql(
            'mutation($m: ID!) { createReward(input: { name: "X", kind: GOODS, pointsPrice: 5, merchantId: $m }) { id } }',
            { m: stationery },
            h.tokens.partner(dining),
          ),
          'FORBIDDEN',
        ],
        [
          h.gql(
            'mutation { createReward(input: { name: "X", kind: GOODS, pointsPrice: 5, merchantId: "no-such-merchant" }) { id } }',
            {},
            h.tokens.admin(),
          ),
          'NOT_FOUND',
        ],
        [
          h.gql(
            'mutation { createReward(input: { name: "X", kind: GOODS, pointsPrice: 5 }) { id } }',
            {},
            member,
          ),
          'FORBIDDEN',
        ],
        [
          h.gql(
            'mutation($id: ID!) { addPriceRule(rewardId: $id, input: { label: "Up", pointsPrice: 20, startsAt: "2026-01-01T00:00:00Z", endsAt: "2027-01-01T00:00:00Z" }) { id } }',
            { id: r },
            h.tokens.admin(),
          ),
          'BAD_USER_INPUT',
        ],
        [
          h.gql(
            'mutation($id: ID!) { restockReward(id: $id, quantity: 3) { id } }',
            { id: r },
            h.tokens.partner(dining),
          ),
          'FORBIDDEN',
        ],
        [
          h.gql(
            'mutation($id: ID!) { updateReward(input: { id: $id, pointsPrice: -3 }) { id } }',
            { id: r },
            h.tokens.partner(stationery),
          ),
          'BAD_USER_INPUT',
        ],
        [
          h.gql(
            'mutation($id: ID!) { delistReward(id: $id, reason: "mine") { id } }',
            { id: r },
            h.tokens.partner(dining),
          ),
          'FORBIDDEN',
        ],
        [h.gql('query($id: ID!) { redemption(id: $id) { id } }', { id: 'nope' }, member), 'NONE'],
      ];
      for (const [promise, code] of cases) {
        const res = await promise;
        if (code === 'NONE') expect(res.errors).toBeUndefined();
        else expect({ code: codeOf(res), res }).toMatchObject({ code });
      }
      await h.ok(
        'mutation($id: ID!) { delistReward(id: $id, reason: "gone") { id } }',
        { id: r },
        h.tokens.partner(stationery),
      );
      expect(codeOf(await h.redeem({ rewardId: r, idempotencyKey: 'inactive' }, member))).toBe(
        'BAD_USER_INPUT',
      );
      expect({
        rewards: await h.count('rewards'),
        redemptions: await h.count('redemptions'),
        rules: await h.count('price_rules'),
        holds: await h.ledgerRows('ledger_holds'),
        history: (await h.history(m)).length,
      }).toEqual(before);
      expect(await h.balance(m)).toBe(100);
      expect(await h.stock(r)).toBe(5);
    });
  });

  describe('managing rewards', () => {
    it('a partner updates, restocks, discounts and offers its own reward', async () => {
      const partner = h.tokens.partner(stationery);
      const r = await h.reward(
        { name: 'Pencil case', kind: 'GOODS', pointsPrice: 300, stock: 2, merchantId: stationery },
        partner,
      );
      const read = () =>
        h.ok(
          'query($id: ID!) { reward(id: $id) { name pointsPrice listPointsPrice stock terms perMemberLimit minTier personal merchant { id name } } }',
          { id: r },
        );
      await h.ok(
        'mutation($id: ID!) { updateReward(input: { id: $id, name: "Pencil case (large)", pointsPrice: 320, terms: "While stocks last", perMemberLimit: 2, minTier: "SILVER" }) { id } }',
        { id: r },
        partner,
      );
      await h.ok('mutation($id: ID!) { restockReward(id: $id, quantity: 5) { stock } }', { id: r }, partner);
      const tooMany = await h.gql(
        'mutation($id: ID!) { restockReward(id: $id, quantity: -8) { stock } }',
        { id: r },
        partner,
      );
      expect(codeOf(tooMany)).toBe('BAD_USER_INPUT');
      await h.ok('mutation($id: ID!) { restockReward(id: $id, quantity: -1) { stock } }', { id: r }, partner);
      const now = Date.now();
      await h.ok(
        'mutation($id: ID!, $i: PriceRuleInput!) { addPriceRule(rewardId: $id, input: $i) { pointsPrice } }',
        {
          id: r,
          i: {
            label: 'Redemption day',
            pointsPrice: 256,
            startsAt: new Date(now - 1000).toISOString(),
            endsAt: new Date(now + 3_600_000).toISOString(),
          },
        },
        partner,
      );
      expect((await read()).reward).toEqual({
        name: 'Pencil case (large)',
        pointsPrice: 256,
        listPointsPrice: 320,
        stock: 6,
        terms: 'While stocks last',
        perMemberLimit: 2,
        minTier: 'SILVER',
        personal: false,
        merchant: { id: stationery, name: 'Paper & Pen' },
      });
      const chosen = await h.member('Chosen stationer');
      const offered = await h.ok(
        'mutation($id: ID!, $m: [ID!]!) { offerReward(rewardId: $id, memberIds: $m) { personal } }',
        { id: r, m: [chosen] },
        partner,
      );
      expect(offered.offerReward.personal).toBe(true);
      const listed = await h.ok(
        'query($m: ID!) { rewards(first: 100, merchantId: $m) { edges { node { id } } } }',
        { m: stationery },
      );
      expect(listed.rewards.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(r);
      const all = await h.ok(
        'query($m: ID!) { rewards(first: 100, merchantId: $m, includeInactive: true) { edges { node { id } } } }',
        { m: stationery },
        partner,
      );
      expect(all.rewards.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(r);
      const notOwner = await h.gql(
        'query($m: ID!) { rewards(merchantId: $m, includeInactive: true) { edges { node { id } } } }',
        { m: stationery },
        h.tokens.partner(dining),
      );
      expect(codeOf(notOwner)).toBe('FORBIDDEN');
    });
  });

  describe('events', () => {
    it('publishes redemption.status_changed for every transition through the outbox', async () => {
      const seen: EventEnvelope<typeof Topics.redemptionStatusChanged>[] = [];
      const unlisten = await h.graph.transport.listen(Topics.redemptionStatusChanged, (e) => {
        seen.push(e);
      });
      try {
        const r = await h.reward(
          { name: 'Event tea', kind: 'GOODS', pointsPrice: 10, merchantId: dining },
          h.tokens.partner(dining),
        );
        const m = await h.member('Listener');
        await h.give(m, 10);
        const id = (await h.redeem({ rewardId: r, idempotencyKey: 'ev' }, h.tokens.member(m))).data!
          .redeemReward.id;
        await h.ok(
          'mutation($id: ID!) { fulfillRedemption(id: $id) { id } }',
          { id },
          h.tokens.partner(dining),
        );
        const mine = await eventually(async () => {
          const list = seen.filter((e) => e.payload.redemptionId === id);
          return list.length >= 3 && list;
        });
        expect(mine.map((e) => [e.payload.from, e.payload.to])).toEqual([
          [null, 'PENDING'],
          ['PENDING', 'CONFIRMED'],
          ['CONFIRMED', 'FULFILLED'],
        ]);
        expect(mine[0]).toMatchObject({
          key: m,
          source: 'catalog',
          payload: { memberId: m, rewardId: r, merchantId: dining, reason: 'Redemption requested' },
        });
        expect(typeof mine[2].payload.at).toBe('string');
      } finally {
        await unlisten();
      }
    });
  });

  describe('reads', () => {
    it('rewards(first: 50) with merchant and prices costs the same SQL as first: 5', async () => {
      for (let i = 0; i < 50; i++) {
        await h.reward({
          name: `Bulk ${i}`,
          kind: 'COUPON',
          pointsPrice: 100 + i,
          merchantId: i % 2 ? dining : stationery,
          priceRules:
            i % 3
              ? []
              : [
                  {
                    label: 'Sale',
                    pointsPrice: 50,
                    startsAt: new Date(Date.now() - 1000).toISOString(),
                    endsAt: new Date(Date.now() + 3_600_000).toISOString(),
                  },
                ],
        });
      }
      const query =
        'query($n: Int) { rewards(first: $n) { edges { node { id name pointsPrice listPointsPrice merchant { id name category } priceRules { pointsPrice } } } } }';
      const counter = h.catalog.runtime.db.queries;
      const cost = async (n: number) => {
        counter.reset();
        const data = await h.ok(query, { n });
        expect(data.rewards.edges).toHaveLength(n);
        return counter.total;
      };
      const five = await cost(5);
      const fifty = await cost(50);
      expect(fifty).toBe(five);
      expect(fifty).toBeLessThanOrEqual(2);
    });

    it("pages a member's redemptions newest first, for the member and the operator only", async () => {
      const r = await h.reward({ name: 'Page me', kind: 'GOODS', pointsPrice: 1 });
      const m = await h.member('Pager');
      await h.give(m, 5);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push(
          (await h.redeem({ rewardId: r, idempotencyKey: `p${i}` }, h.tokens.member(m))).data!.redeemReward
            .id,
        );
      const page = (after: string | null) =>
        h.ok(
          'query($id: ID!, $after: String) { member(id: $id) { redemptions(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }',
          { id: m, after },
          h.tokens.admin(),
        );
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const conn: {
          edges: { node: { id: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        } = (await page(after)).member.redemptions;
        seen.push(...conn.edges.map((e) => e.node.id));
        if (!conn.pageInfo.hasNextPage) break;
        after = conn.pageInfo.endCursor;
      }
      expect(seen).toEqual([...ids].reverse());
      const partner = await h.gql(
        'query($id: ID!) { member(id: $id) { redemptions { edges { node { id } } } } }',
        { id: m },
        h.tokens.partner(dining),
      );
      expect(codeOf(partner)).toBe('FORBIDDEN');
    });
  });
});
