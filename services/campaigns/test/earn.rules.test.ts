import fc from 'fast-check';
import { PointKind } from '@loyalty/platform';
import {
  cumulativeReversal,
  DEFAULT_RATES,
  evaluatePurchase,
  evaluateSignUp,
  multiplierExtra,
  pointsAt,
  type CampaignRule,
  type PurchaseFacts,
} from '../src/rules/earn.rules';
import { localDay } from '../src/rules/local-time.rules';
import { purchaseKey, refundKey } from '../src/purchases/purchase.rules';

const at = new Date('2026-11-18T04:00:00Z'); // Wednesday 12:00 in Shanghai, the 18th

const facts = (over: Partial<PurchaseFacts> = {}): PurchaseFacts => ({
  merchantId: 'm1',
  merchantCategory: 'dining',
  memberTier: 'REGULAR',
  amount: 3000,
  greenAmount: 0,
  occurredAt: at,
  firstWithPlatform: false,
  firstWithMerchant: false,
  ...over,
});

const campaign = (over: Partial<CampaignRule> = {}): CampaignRule => ({
  id: 'c1',
  name: 'Anniversary',
  startsAt: new Date('2026-11-01T00:00:00Z'),
  endsAt: new Date('2026-12-01T00:00:00Z'),
  merchantId: null,
  merchantCategory: null,
  tiers: null,
  weekdays: null,
  monthDays: null,
  timeZone: 'Asia/Shanghai',
  multiplierPct: null,
  bonusPoints: null,
  signUpBonus: null,
  firstOrder: null,
  minAmount: null,
  spendTarget: null,
  perMemberCap: null,
  budget: null,
  validity: null,
  ...over,
});

const total = (awards: { points: number; kind: PointKind }[], kind = PointKind.REGULAR) =>
  awards.filter((a) => a.kind === kind).reduce((s, a) => s + a.points, 0);

describe('rule engine', () => {
  it('gives 1 point per yuan, rounded down (30 yuan → 30 points; 30.99 yuan → 30)', () => {
    expect(evaluatePurchase(facts(), DEFAULT_RATES, [])).toEqual([
      expect.objectContaining({ ruleKey: 'base', kind: PointKind.REGULAR, points: 30 }),
    ]);
    expect(total(evaluatePurchase(facts({ amount: 3099 }), DEFAULT_RATES, []))).toBe(30);
    expect(evaluatePurchase(facts({ amount: 99 }), DEFAULT_RATES, [])).toEqual([]);
  });

  it('uses the merchant rate', () => {
    const rates = { regular: { points: 3, per: 200 }, green: { points: 1, per: 100 } };
    expect(total(evaluatePurchase(facts({ amount: 1000 }), rates, []))).toBe(15);
  });

  it('gives GREEN points on green items only, besides the base', () => {
    const awards = evaluatePurchase(facts({ amount: 10000, greenAmount: 3050 }), DEFAULT_RATES, []);
    expect(total(awards)).toBe(100);
    expect(total(awards, PointKind.GREEN)).toBe(30);
  });

  it('doubles during a store anniversary: 1 yuan → 2 points', () => {
    const c = campaign({ multiplierPct: 200, merchantId: 'm1' });
    const awards = evaluatePurchase(facts({ amount: 100 }), DEFAULT_RATES, [c]);
    expect(awards.map((a) => [a.ruleKey, a.points])).toEqual([
      ['base', 1],
      ['campaign:c1', 1],
    ]);
    expect(evaluatePurchase(facts({ amount: 100, merchantId: 'm2' }), DEFAULT_RATES, [c])).toHaveLength(1);
  });

  it('multiplies the REGULAR base only, rounded down, without compounding', () => {
    const a = campaign({ id: 'a', multiplierPct: 150 });
    const b = campaign({ id: 'b', multiplierPct: 200, bonusPoints: 5 });
    const awards = evaluatePurchase(facts({ amount: 333, greenAmount: 333 }), DEFAULT_RATES, [b, a]);
    // base 3; a: floor(4.5) - 3 = 1; b: 3 + 5; green 3 untouched
    expect(awards.map((x) => [x.ruleKey, x.points])).toEqual([
      ['base', 3],
      ['green', 3],
      ['campaign:a', 1],
      ['campaign:b', 8],
    ]);
  });

  it('a GREEN campaign multiplies the green points and gives GREEN bonuses, on eco purchases only', () => {
    const doubled = campaign({ id: 'g', multiplierPct: 200, bonusPoints: 4, pointKind: PointKind.GREEN });
    const awards = evaluatePurchase(facts({ amount: 5000, greenAmount: 1550 }), DEFAULT_RATES, [doubled]);
    // base 50 REGULAR untouched; green 15; ×2 adds 15 GREEN, plus 4 GREEN
    expect(awards.map((x) => [x.ruleKey, x.kind, x.points])).toEqual([
      ['base', PointKind.REGULAR, 50],
      ['green', PointKind.GREEN, 15],
      ['campaign:g', PointKind.GREEN, 19],
    ]);
    expect(awards[2].reason).toBe(
      'Campaign "Anniversary": ×2 GREEN base points (+15) + 4 bonus GREEN points',
    );
    // No green items: a GREEN campaign gives nothing (green points stay tied to eco spending).
    expect(evaluatePurchase(facts({ amount: 5000 }), DEFAULT_RATES, [doubled]).map((x) => x.ruleKey)).toEqual(
      ['base'],
    );
  });

  it('respects windows (end exclusive), categories, tiers, weekdays and market days', () => {
    expect(evaluatePurchase(facts(), DEFAULT_RATES, [campaign({ bonusPoints: 5, endsAt: at })])).toHaveLength(
      1,
    );
    expect(
      evaluatePurchase(facts(), DEFAULT_RATES, [campaign({ bonusPoints: 5, startsAt: at })]),
    ).toHaveLength(2);
    expect(
      evaluatePurchase(facts(), DEFAULT_RATES, [campaign({ bonusPoints: 5, merchantCategory: 'grocery' })]),
    ).toHaveLength(1);
    expect(
      evaluatePurchase(facts(), DEFAULT_RATES, [campaign({ bonusPoints: 5, tiers: ['GOLD'] })]),
    ).toHaveLength(1);
    expect(
      evaluatePurchase(facts({ memberTier: 'GOLD' }), DEFAULT_RATES, [
        campaign({ bonusPoints: 5, tiers: ['GOLD'] }),
      ]),
    ).toHaveLength(2);
    expect(
      evaluatePurchase(facts(), DEFAULT_RATES, [campaign({ bonusPoints: 5, weekdays: [3] })]),
    ).toHaveLength(2);
    expect(
      evaluatePurchase(facts(), DEFAULT_RATES, [campaign({ bonusPoints: 5, weekdays: [4] })]),
    ).toHaveLength(1);
    expect(
      evaluatePurchase(facts(), DEFAULT_RATES, [campaign({ bonusPoints: 5, monthDays: [3, 8, 18] })]),
    ).toHaveLength(2);
    // 23:30 UTC on the 18th is already the 19th (Thursday) in Shanghai
    const late = new Date('2026-11-18T23:30:00Z');
    expect(localDay(late, 'Asia/Shanghai')).toEqual({ weekday: 4, monthDay: 19 });
    expect(localDay(late, 'UTC')).toEqual({ weekday: 3, monthDay: 18 });
  });

  it('gives a first-order bonus only on the first order of its scope', () => {
    const platform = campaign({ bonusPoints: 50, firstOrder: 'PLATFORM' });
    const merchant = campaign({ id: 'c2', bonusPoints: 20, firstOrder: 'MERCHANT' });
    expect(
      total(
        evaluatePurchase(facts({ firstWithPlatform: true, firstWithMerchant: true }), DEFAULT_RATES, [
          platform,
          merchant,
        ]),
      ),
    ).toBe(100);
    expect(
      total(evaluatePurchase(facts({ firstWithMerchant: true }), DEFAULT_RATES, [platform, merchant])),
    ).toBe(50);
    expect(total(evaluatePurchase(facts(), DEFAULT_RATES, [platform, merchant]))).toBe(30);
  });

  it('limits a campaign by its per-member cap and budget', () => {
    const c = campaign({ bonusPoints: 50, perMemberCap: 120, budget: 1000 });
    const usage = (awarded: number, awardedToMember: number) =>
      new Map([['c1', { awarded, awardedToMember }]]);
    expect(evaluatePurchase(facts(), DEFAULT_RATES, [c], usage(0, 100))[1]).toMatchObject({ points: 20 });
    expect(evaluatePurchase(facts(), DEFAULT_RATES, [c], usage(990, 0))[1]).toMatchObject({ points: 10 });
    expect(evaluatePurchase(facts(), DEFAULT_RATES, [c], usage(1000, 0))).toHaveLength(1);
  });

  it('gives sign-up bonuses only from sign-up campaigns in their window', () => {
    const signUp = campaign({ signUpBonus: 20, budget: 30 });
    expect(
      evaluateSignUp({ memberTier: 'REGULAR', joinedAt: at }, [
        signUp,
        campaign({ id: 'x', bonusPoints: 9 }),
      ]),
    ).toEqual([expect.objectContaining({ points: 20, campaignId: 'c1' })]);
    expect(
      evaluateSignUp(
        { memberTier: 'REGULAR', joinedAt: at },
        [signUp],
        new Map([['c1', { awarded: 20, awardedToMember: 0 }]]),
      )[0].points,
    ).toBe(10);
    expect(evaluatePurchase(facts(), DEFAULT_RATES, [signUp])).toHaveLength(1);
  });

  it('reverses proportionally, rounded to the nearest point: 30 of 80 yuan leaves 50', () => {
    expect(cumulativeReversal(80, 3000, 8000)).toBe(30);
    expect(cumulativeReversal(3, 50, 100)).toBe(2); // 1.5 → 2
    expect(cumulativeReversal(3, 8000, 8000)).toBe(3);
  });

  it('is exact for huge amounts and never takes back more than was given (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 100, max: 10_000 }),
        (amount, pct) => {
          const base = pointsAt(amount, { points: 1, per: 100 });
          expect(base).toBe(Math.floor(amount / 100));
          expect(multiplierExtra(base, pct)).toBeGreaterThanOrEqual(0);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
        (points, amount, fractions) => {
          let refunded = 0;
          let reversed = 0;
          for (const f of [...fractions, 1]) {
            refunded = Math.min(amount, refunded + Math.floor((amount - refunded) * f));
            const target = cumulativeReversal(points, refunded, amount);
            expect(target).toBeGreaterThanOrEqual(reversed);
            reversed = target;
          }
          expect(reversed).toBe(points);
        },
      ),
    );
  });

  it('derives ledger idempotency keys that fit the ledger (160 characters) and name merchant, order and rule', () => {
    const uuid = '123e4567-e89b-12d3-a456-426614174000';
    const longest = purchaseKey(uuid, 'O'.repeat(64), { ruleKey: `campaign:${uuid}`, campaignId: uuid });
    expect(longest.length).toBeLessThanOrEqual(160);
    expect(purchaseKey('m1', 'A1', { ruleKey: 'base', campaignId: null })).toBe(
      'campaigns:purchase:m1:A1:base',
    );
    expect(refundKey(uuid, 'R'.repeat(64), 'REGULAR').length).toBeLessThanOrEqual(160);
  });

  it('gives a spend-target bonus once, on the purchase that reaches the target (R8)', () => {
    const plan = campaign({ bonusPoints: 100, spendTarget: 10_000 });
    const spent = (before: number) => new Map([['c1', before]]);
    expect(
      evaluatePurchase(facts({ amount: 3000, spendBefore: spent(6000) }), DEFAULT_RATES, [plan]),
    ).toHaveLength(1);
    expect(
      evaluatePurchase(facts({ amount: 4000, spendBefore: spent(6000) }), DEFAULT_RATES, [plan])[1],
    ).toMatchObject({
      points: 100,
      reason: expect.stringContaining('reaching 100 yuan'),
    });
    expect(
      evaluatePurchase(facts({ amount: 4000, spendBefore: spent(10_000) }), DEFAULT_RATES, [plan]),
    ).toHaveLength(1);
    const given = new Map([['c1', { awarded: 100, awardedToMember: 100 }]]);
    expect(
      evaluatePurchase(facts({ amount: 4000, spendBefore: spent(6000) }), DEFAULT_RATES, [plan], given),
    ).toHaveLength(1);
  });
});
