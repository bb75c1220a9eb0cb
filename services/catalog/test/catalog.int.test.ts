import { SimulatedCrash } from './support/crash';
import { FakeLedger } from './support/fake-ledger';
import { CatalogHarness } from './support/harness';

const REDEMPTION = `query($id: ID!) { redemption(id: $id) { id status points compensationPoints cancelReason
  transitions { from to actor reason } } }`;

describe('catalog through the gateway (in-memory ledger)', () => {
  const ledger = new FakeLedger();
  const h = new CatalogHarness({ ledger });
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
      ledger.credit(m, 200);
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
      expect(ledger.balance(m)).toBe(0);
      expect(ledger.held(m)).toBe(0);
    });

    it('1000 points buy a 50-yuan coupon ("50 off 200")', async () => {
      const coupon = await h.reward(
        {
          name: '50 off 200',
          kind: 'COUPON',
          pointsPrice: 1000,
          merchantId: dining,
          terms: 'Valid on bills of 200 yuan or more',
        },
        h.tokens.partner(dining),
      );
      const m = await h.member('Coupon Fan');
      ledger.credit(m, 1500);
      const res = await h.redeem({ rewardId: coupon, idempotencyKey: 'coupon-1' }, h.tokens.member(m));
      expect(res.data!.redeemReward).toMatchObject({ status: 'CONFIRMED', points: 1000 });
      expect(ledger.balance(m)).toBe(500);
    });

    it('the 500-point notebook set costs 400 in its discount window and 500 outside it', async () => {
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
      const read = () =>
        h.ok(
          'query($id: ID!) { reward(id: $id) { pointsPrice listPointsPrice priceRules { label pointsPrice } } }',
          { id: notebook },
        );
      expect((await read()).reward).toMatchObject({
        pointsPrice: 400,
        listPointsPrice: 500,
        priceRules: [{ label: 'Back-to-school week', pointsPrice: 400 }],
      });
      const m = await h.member('Student');
      ledger.credit(m, 900);
      const inWindow = await h.redeem({ rewardId: notebook, idempotencyKey: 'nb-1' }, h.tokens.member(m));
      expect(inWindow.data!.redeemReward).toMatchObject({ status: 'CONFIRMED', points: 400 });
      await new Promise((r) => setTimeout(r, Math.max(0, now + 2_600 - Date.now())));
      expect((await read()).reward).toMatchObject({ pointsPrice: 500, listPointsPrice: 500, priceRules: [] });
      const outside = await h.redeem({ rewardId: notebook, idempotencyKey: 'nb-2' }, h.tokens.member(m));
      expect(outside.data!.redeemReward).toMatchObject({ status: 'CONFIRMED', points: 500 });
      expect(ledger.balance(m)).toBe(0);
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
      ledger.credit(m, 2000);
      const res = await h.redeem({ rewardId: pen, idempotencyKey: 'pen', quantity: 2 }, h.tokens.member(m));
      expect(res.data!.redeemReward).toMatchObject({ points: 2000, cashAmount: 3980, quantity: 2 });
      expect(ledger.balance(m)).toBe(0);
    });
  });

  describe('idempotency', () => {
    it('replays a retried redemption and refuses the key for different parameters', async () => {
      const r = await h.reward({ name: 'Tea', kind: 'GOODS', pointsPrice: 10, stock: 5 });
      const m = await h.member('Retrier');
      ledger.credit(m, 100);
      const token = h.tokens.member(m);
      const [a, b] = await Promise.all([
        h.redeem({ rewardId: r, idempotencyKey: 'k' }, token),
        h.redeem({ rewardId: r, idempotencyKey: 'k' }, token),
      ]);
      const c = await h.redeem({ rewardId: r, idempotencyKey: 'k' }, token);
      expect(a.data!.redeemReward.id).toBe(b.data!.redeemReward.id);
      expect(c.data!.redeemReward.id).toBe(a.data!.redeemReward.id);
      expect(ledger.balance(m)).toBe(90);
      expect(await h.stock(r)).toBe(4);
      const conflict = await h.redeem({ rewardId: r, idempotencyKey: 'k', quantity: 2 }, token);
      expect(codeOf(conflict)).toBe('CONFLICT');
      expect(ledger.balance(m)).toBe(90);
    });
  });

  describe('concurrency', () => {
    it('12 concurrent 100-point redemptions with 500 points: exactly 5 succeed', async () => {
      const r = await h.reward({ name: 'Snack', kind: 'GOODS', pointsPrice: 100, stock: 100 });
      const m = await h.member('Hasty');
      ledger.credit(m, 500);
      const token = h.tokens.member(m);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => h.redeem({ rewardId: r, idempotencyKey: `c${i}` }, token)),
      );
      const ok = results.filter((x) => !x.errors);
      expect(ok).toHaveLength(5);
      expect(results.filter((x) => codeOf(x) === 'INSUFFICIENT_POINTS')).toHaveLength(7);
      expect(ok.every((x) => x.data!.redeemReward.status === 'CONFIRMED')).toBe(true);
      expect(ledger.balance(m)).toBe(0);
      expect(ledger.held(m)).toBe(0);
      expect(await h.stock(r)).toBe(95);
      const list = await h.ok(
        'query($id: ID!) { member(id: $id) { redemptions(first: 20) { edges { node { status } } } } }',
        { id: m },
        token,
      );
      const statuses = list.member.redemptions.edges
        .map((e: { node: { status: string } }) => e.node.status)
        .sort();
      expect(statuses).toEqual([...Array(7).fill('CANCELLED'), ...Array(5).fill('CONFIRMED')]);
    });

    it('stock of 3 with 10 concurrent buyers: exactly 3 succeed', async () => {
      const r = await h.reward({ name: 'Limited mug', kind: 'GOODS', pointsPrice: 50, stock: 3 });
      const buyers = await Promise.all(Array.from({ length: 10 }, (_, i) => h.member(`Buyer ${i}`)));
      buyers.forEach((b) => ledger.credit(b, 80));
      const results = await Promise.all(
        buyers.map((b, i) => h.redeem({ rewardId: r, idempotencyKey: `mug-${i}` }, h.tokens.member(b))),
      );
      expect(results.filter((x) => !x.errors)).toHaveLength(3);
      expect(results.filter((x) => codeOf(x) === 'OUT_OF_STOCK')).toHaveLength(7);
      expect(await h.stock(r)).toBe(0);
      const balances = buyers.map((b) => ledger.balance(b)).sort((a, b) => a - b);
      expect(balances).toEqual([30, 30, 30, 80, 80, 80, 80, 80, 80, 80]);
      expect(buyers.reduce((s, b) => s + ledger.held(b), 0)).toBe(0);
    });

    it('per-member limits hold under concurrency', async () => {
      const r = await h.reward({
        name: 'Once a member',
        kind: 'SERVICE',
        pointsPrice: 10,
        perMemberLimit: 2,
      });
      const m = await h.member('Greedy');
      ledger.credit(m, 1000);
      const token = h.tokens.member(m);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => h.redeem({ rewardId: r, idempotencyKey: `l${i}` }, token)),
      );
      expect(results.filter((x) => !x.errors)).toHaveLength(2);
      expect(results.filter((x) => codeOf(x) === 'LIMIT_REACHED')).toHaveLength(4);
      expect(ledger.balance(m)).toBe(980);
    });
  });

  describe('crash recovery', () => {
    it('a catalog process killed between hold and capture is finished on restart: no dangling hold, no lost points', async () => {
      const r = await h.reward({ name: 'Cleaning service', kind: 'SERVICE', pointsPrice: 300, stock: 10 });
      const m = await h.member('Unlucky');
      ledger.credit(m, 1000);
      h.app.redemptions.hooks.afterHold = async () => {
        throw new SimulatedCrash('process killed after the hold');
      };
      const crashed = await h.redeem({ rewardId: r, idempotencyKey: 'crash' }, h.tokens.member(m));
      expect(crashed.errors).toBeDefined();
      expect(ledger.held(m)).toBe(300); // the hold is out there, nothing recorded it yet
      const restarted = await h.restartCatalog();
      const swept = await restarted.app.recovery.sweep({ staleAfterMs: 0 });
      expect(swept.recovered).toBeGreaterThanOrEqual(1);
      expect(ledger.held(m)).toBe(0);
      expect(ledger.balance(m)).toBe(700);
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
      expect(ledger.balance(m)).toBe(700);
      expect(await h.stock(r)).toBe(9);
    });

    it('a ledger outage leaves the redemption PENDING; recovery finishes it once the ledger is back', async () => {
      const r = await h.reward({ name: 'Ticket', kind: 'TICKET', pointsPrice: 100, stock: 2 });
      const m = await h.member('Patient');
      ledger.credit(m, 100);
      ledger.down = true;
      const res = await h.redeem({ rewardId: r, idempotencyKey: 'outage' }, h.tokens.member(m));
      expect(codeOf(res)).toBe('SERVICE_UNAVAILABLE');
      expect(await h.stock(r)).toBe(1);
      const failed = await h.app.recovery.sweep({ staleAfterMs: 0 });
      expect(failed.failed).toBeGreaterThanOrEqual(1);
      ledger.down = false;
      await h.app.recovery.sweep({ staleAfterMs: 0 });
      expect(ledger.balance(m)).toBe(0);
      expect(ledger.held(m)).toBe(0);
      expect(await h.stock(r)).toBe(1);
    });

    it('a hold that lapsed before capture cancels the redemption and returns the stock', async () => {
      const r = await h.reward({ name: 'Slow thing', kind: 'GOODS', pointsPrice: 100, stock: 1 });
      const m = await h.member('Slowpoke');
      ledger.credit(m, 100);
      h.app.redemptions.hooks.afterHold = async () => {
        const [hold] = ledger.holdsOf(m);
        ledger.expire(hold.id);
        throw new SimulatedCrash('stalled until the hold expired');
      };
      await h.redeem({ rewardId: r, idempotencyKey: 'lapse' }, h.tokens.member(m));
      h.app.redemptions.hooks.afterHold = undefined;
      await h.app.recovery.sweep({ staleAfterMs: 0 });
      expect(ledger.balance(m)).toBe(100);
      expect(await h.stock(r)).toBe(1);
    });
  });
});
