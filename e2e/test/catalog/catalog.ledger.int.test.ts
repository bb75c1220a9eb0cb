import type { RunningService } from '@loyalty/platform';
import type { CatalogApp } from '@loyalty/catalog';
import { SimulatedCrash } from '@loyalty/testing';
import { CatalogHarness } from './support/harness';

/** The saga against the real ledger subgraph, everything through the gateway. */
describe('redemptions against the real ledger', () => {
  const h = new CatalogHarness();
  let dining: string;

  beforeAll(async () => {
    await h.start();
    dining = await h.merchant('Noodle Bar', 'dining');
  });
  afterAll(() => h.stop());

  const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) =>
    res.errors?.[0]?.extensions?.code;
  let keys = 0;

  async function give(memberId: string, points: number): Promise<void> {
    await h.ok(
      'mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { id } }',
      { i: { memberId, points, reason: 'Test grant', idempotencyKey: `grant-${++keys}` } },
      h.tokens.admin(),
    );
  }

  async function balance(memberId: string): Promise<number> {
    return (await h.ok('query($id: ID!) { member(id: $id) { balance } }', { id: memberId }, h.tokens.admin()))
      .member.balance;
  }

  async function history(memberId: string): Promise<{ type: string; points: number; description: string }[]> {
    const data = await h.ok(
      'query($id: ID!) { member(id: $id) { history(first: 100) { edges { node { type points description } } } } }',
      { id: memberId },
      h.tokens.member(memberId),
    );
    return data.member.history.edges.map((e: { node: unknown }) => e.node);
  }

  it('200 points buy a 25-yuan set meal; the member sees the redemption in their history', async () => {
    const meal = await h.reward(
      { name: '25-yuan set meal', kind: 'GOODS', pointsPrice: 200, merchantId: dining },
      h.tokens.partner(dining),
    );
    const m = await h.member('Hungry');
    await give(m, 200);
    const res = await h.redeem({ rewardId: meal, idempotencyKey: 'meal' }, h.tokens.member(m));
    expect(res.errors).toBeUndefined();
    expect(res.data!.redeemReward).toMatchObject({ status: 'CONFIRMED', points: 200 });
    expect(await balance(m)).toBe(0);
    expect((await history(m)).filter((e) => e.type === 'REDEEM')).toEqual([
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
    await give(m, 1500);
    const res = await h.redeem({ rewardId: coupon, idempotencyKey: 'coupon' }, h.tokens.member(m));
    expect(res.data!.redeemReward).toMatchObject({ status: 'CONFIRMED', points: 1000 });
    expect(await balance(m)).toBe(500);
  });

  it('the 500-point notebook set costs 400 in its discount window and 500 outside it', async () => {
    const stationery = await h.merchant('Paper & Pen', 'stationery');
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
    const m = await h.member('Student');
    await give(m, 900);
    const inWindow = await h.redeem({ rewardId: notebook, idempotencyKey: 'nb-1' }, h.tokens.member(m));
    expect(inWindow.data!.redeemReward).toMatchObject({ status: 'CONFIRMED', points: 400 });
    expect(await balance(m)).toBe(500);
    await new Promise((r) => setTimeout(r, Math.max(0, now + 2_600 - Date.now())));
    const outside = await h.redeem({ rewardId: notebook, idempotencyKey: 'nb-2' }, h.tokens.member(m));
    expect(outside.data!.redeemReward).toMatchObject({ status: 'CONFIRMED', points: 500 });
    expect(await balance(m)).toBe(0);
  });

  it('12 concurrent 100-point redemptions with 500 points: exactly 5 succeed, balance exact', async () => {
    const r = await h.reward({ name: 'Dumplings', kind: 'GOODS', pointsPrice: 100, stock: 50 });
    const m = await h.member('Concurrent');
    await give(m, 500);
    const token = h.tokens.member(m);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => h.redeem({ rewardId: r, idempotencyKey: `c${i}` }, token)),
    );
    expect(results.filter((x) => !x.errors)).toHaveLength(5);
    expect(results.filter((x) => codeOf(x) === 'INSUFFICIENT_POINTS')).toHaveLength(7);
    expect(await balance(m)).toBe(0);
    expect(await h.stock(r)).toBe(45);
  });

  it('stock of 3 with 10 concurrent buyers: exactly 3 succeed, balances and stock exact', async () => {
    const r = await h.reward({ name: 'Chef table', kind: 'SERVICE', pointsPrice: 50, stock: 3 });
    const buyers = await Promise.all(Array.from({ length: 10 }, (_, i) => h.member(`Diner ${i}`)));
    for (const b of buyers) await give(b, 80);
    const results = await Promise.all(
      buyers.map((b, i) => h.redeem({ rewardId: r, idempotencyKey: `s${i}` }, h.tokens.member(b))),
    );
    expect(results.filter((x) => !x.errors)).toHaveLength(3);
    expect(results.filter((x) => codeOf(x) === 'OUT_OF_STOCK')).toHaveLength(7);
    expect(await h.stock(r)).toBe(0);
    const balances = await Promise.all(buyers.map(balance));
    expect(balances.sort((a, b) => a - b)).toEqual([30, 30, 30, 80, 80, 80, 80, 80, 80, 80]);
  });

  it('stopping the catalog between hold and capture and restarting it loses no point and leaves no hold', async () => {
    const r = await h.reward({ name: 'Cooking class', kind: 'SERVICE', pointsPrice: 300, stock: 5 });
    const m = await h.member('Crash Victim');
    await give(m, 1000);
    h.app.redemptions.hooks.afterHold = async () => {
      throw new SimulatedCrash('process killed after the hold');
    };
    const crashed = await h.redeem({ rewardId: r, idempotencyKey: 'crash' }, h.tokens.member(m));
    expect(crashed.errors).toBeDefined();
    expect(await balance(m)).toBe(700); // held, not yet captured
    const restarted: RunningService<CatalogApp> = await h.restartCatalog();
    await restarted.app.recovery.sweep({ staleAfterMs: 0 });
    expect(await balance(m)).toBe(700);
    const entries = await history(m);
    expect(entries.filter((e) => e.type === 'REDEEM')).toEqual([expect.objectContaining({ points: -300 })]);
    const holds = entries.filter((e) => e.type === 'HOLD').reduce((s, e) => s + e.points, 0);
    const releases = entries.filter((e) => e.type === 'RELEASE').reduce((s, e) => s + e.points, 0);
    expect(holds + releases).toBe(0); // every hold resolved
    const retry = await h.redeem({ rewardId: r, idempotencyKey: 'crash' }, h.tokens.member(m));
    expect(retry.data!.redeemReward.status).toBe('CONFIRMED');
    expect(await balance(m)).toBe(700);
    expect(await h.stock(r)).toBe(4);
  });

  it('delisting returns the points plus a COMPENSATE entry in the member history', async () => {
    const r = await h.reward(
      { name: 'River cruise', kind: 'TICKET', pointsPrice: 250, merchantId: dining },
      h.tokens.partner(dining),
    );
    const m = await h.member('Cruiser');
    await give(m, 250);
    const id = (await h.redeem({ rewardId: r, idempotencyKey: 'cruise' }, h.tokens.member(m))).data!
      .redeemReward.id;
    expect(await balance(m)).toBe(0);
    await h.ok(
      'mutation($id: ID!) { delistReward(id: $id, reason: "Cruise cancelled: flooding") { active } }',
      { id: r },
      h.tokens.partner(dining),
    );
    expect(await balance(m)).toBe(250 + 25);
    const entries = await history(m);
    expect(entries.find((e) => e.type === 'COMPENSATE')).toMatchObject({
      points: 25,
      description: expect.stringContaining('Cruise cancelled: flooding'),
    });
    const read = await h.ok(
      'query($id: ID!) { redemption(id: $id) { status compensationPoints } }',
      { id },
      h.tokens.member(m),
    );
    expect(read.redemption).toEqual({ status: 'CANCELLED', compensationPoints: 25 });
  });
});
