import fc from 'fast-check';
import { allocate, allocateUpTo, spendingOrder, type OpenLot } from '../src/lots/lot.rules';
import { planReversal, proportionalReversal } from '../src/reversals/reversal.rules';

const day = 86_400_000;
const t0 = Date.UTC(2026, 0, 1);
const lot = (id: string, remaining: number, expiresInDays: number | null, earnedDay = 0): OpenLot => ({
  id,
  remaining,
  expiresAt: expiresInDays === null ? null : new Date(t0 + expiresInDays * day),
  earnedAt: new Date(t0 + earnedDay * day),
});

const lotsArb = fc
  .array(
    fc.record({
      remaining: fc.integer({ min: 0, max: 1000 }),
      expires: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }),
      earned: fc.integer({ min: -400, max: 0 }),
    }),
    { maxLength: 12 },
  )
  .map((xs) => xs.map((x, i) => lot(`l${String(i).padStart(2, '0')}`, x.remaining, x.expires, x.earned)));

describe('lot allocation (FIFO by expiry)', () => {
  it('takes the soonest-expiring lots first, never-expiring last', () => {
    const lots = [lot('never', 100, null), lot('late', 100, 30), lot('soon', 50, 5)];
    expect(spendingOrder(lots).map((l) => l.id)).toEqual(['soon', 'late', 'never']);
    expect(allocate(lots, 120)).toEqual([
      { lotId: 'soon', points: 50, merchantId: null },
      { lotId: 'late', points: 70, merchantId: null },
    ]);
    expect(allocate(lots, 251)).toBeNull();
  });

  it('prefers given lots for reversals', () => {
    const lots = [lot('a', 10, 1), lot('b', 10, 2)];
    expect(allocateUpTo(lots, 15, (l) => l.id === 'b').takes).toEqual([
      { lotId: 'b', points: 10, merchantId: null },
      { lotId: 'a', points: 5, merchantId: null },
    ]);
  });

  it('property: takes exactly what is asked (or nothing), never more than a lot holds, in expiry order', () => {
    fc.assert(
      fc.property(lotsArb, fc.integer({ min: 1, max: 5000 }), (lots, points) => {
        const total = lots.reduce((s, l) => s + l.remaining, 0);
        const takes = allocate(lots, points);
        if (points > total) return takes === null;
        if (!takes) return false;
        const byId = new Map(lots.map((l) => [l.id, l]));
        const sum = takes.reduce((s, t) => s + t.points, 0);
        const ordered = spendingOrder(lots).filter((l) => l.remaining > 0);
        // Every lot before the last one touched is emptied completely.
        const lastIndex = ordered.findIndex((l) => l.id === takes[takes.length - 1].lotId);
        return (
          sum === points &&
          takes.every((t) => t.points > 0 && t.points <= byId.get(t.lotId)!.remaining) &&
          new Set(takes.map((t) => t.lotId)).size === takes.length &&
          ordered
            .slice(0, lastIndex)
            .every((l, i) => takes[i]?.lotId === l.id && takes[i].points === l.remaining)
        );
      }),
    );
  });
});

describe('reversals', () => {
  it('rounds half up and adds up over partial refunds', () => {
    expect(proportionalReversal(100, 3000, 10000, 0)).toBe(30);
    expect(proportionalReversal(3, 1, 2, 0)).toBe(2); // 1.5 → 2
    expect(proportionalReversal(3, 2, 2, 2)).toBe(1);
    expect(proportionalReversal(100, 20000, 10000, 0)).toBe(100); // never more than earned
  });

  it('property: any split of a refund asks for the same total as one refund', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 6 }),
        (earned, total, parts) => {
          let refunded = 0;
          let asked = 0;
          for (const p of parts) {
            refunded = Math.min(total, refunded + p);
            const n = proportionalReversal(earned, refunded, total, asked);
            if (n < 0) return false;
            asked += n;
          }
          return asked === proportionalReversal(earned, refunded, total, 0) && asked <= earned;
        },
      ),
    );
  });

  it('never goes below zero: the shortfall is what is missing', () => {
    expect(planReversal(70, 10)).toEqual({ reversed: 10, shortfall: 60 });
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(10_000), (requested, available) => {
        const { reversed, shortfall } = planReversal(requested, available);
        return reversed >= 0 && reversed <= available && reversed + shortfall === requested;
      }),
    );
  });
});
