import {
  activePointsPrice,
  assertCashPrice,
  assertPointsPrice,
  assertPriceWindow,
  isActiveAt,
  nextPriceChange,
  quote,
} from '../src/rewards/pricing.rules';

const at = (iso: string) => new Date(iso);
const backToSchool = {
  pointsPrice: 400,
  startsAt: at('2026-09-01T00:00:00Z'),
  endsAt: at('2026-09-08T00:00:00Z'),
};

describe('redemption prices (C2, C3)', () => {
  it('prices the notebook set at 400 during back-to-school week and 500 outside it', () => {
    expect(activePointsPrice(500, [backToSchool], at('2026-09-03T12:00:00Z'))).toBe(400);
    expect(activePointsPrice(500, [backToSchool], at('2026-08-31T23:59:59.999Z'))).toBe(500);
    expect(activePointsPrice(500, [backToSchool], at('2026-09-08T00:00:00Z'))).toBe(500);
    expect(activePointsPrice(500, [], at('2026-09-03T12:00:00Z'))).toBe(500);
  });

  it('treats windows as [start, end) and takes the best of overlapping specials', () => {
    expect(isActiveAt(backToSchool, backToSchool.startsAt)).toBe(true);
    expect(isActiveAt(backToSchool, backToSchool.endsAt)).toBe(false);
    const redemptionDay = {
      pointsPrice: 350,
      startsAt: at('2026-09-05T00:00:00Z'),
      endsAt: at('2026-09-06T00:00:00Z'),
    };
    expect(activePointsPrice(500, [backToSchool, redemptionDay], at('2026-09-05T10:00:00Z'))).toBe(350);
    expect(activePointsPrice(500, [backToSchool, redemptionDay], at('2026-09-06T10:00:00Z'))).toBe(400);
  });

  it('knows when a price next changes: the nearest start or end still to come', () => {
    const redemptionDay = {
      pointsPrice: 350,
      startsAt: at('2026-09-05T00:00:00Z'),
      endsAt: at('2026-09-06T00:00:00Z'),
    };
    const rules = [backToSchool, redemptionDay];
    expect(nextPriceChange(rules, at('2026-08-20T00:00:00Z'))).toEqual(backToSchool.startsAt);
    expect(nextPriceChange(rules, at('2026-09-01T00:00:00Z'))).toEqual(redemptionDay.startsAt);
    expect(nextPriceChange(rules, at('2026-09-05T10:00:00Z'))).toEqual(redemptionDay.endsAt);
    expect(nextPriceChange(rules, at('2026-09-06T00:00:00Z'))).toEqual(backToSchool.endsAt);
    expect(nextPriceChange(rules, at('2026-09-08T00:00:00Z'))).toBeNull();
    expect(nextPriceChange([], at('2026-09-01T00:00:00Z'))).toBeNull();
  });

  it('quotes points and cash owed separately, per unit times quantity (L10)', () => {
    expect(quote(200, 0, 1)).toEqual({ unitPoints: 200, points: 200, unitCash: 0, cashAmount: 0 });
    expect(quote(1000, 1990, 3)).toEqual({
      unitPoints: 1000,
      points: 3000,
      unitCash: 1990,
      cashAmount: 5970,
    });
    expect(() => quote(2_000_000_000, 0, 2)).toThrow(/too large/);
  });

  it('refuses negative, zero, fractional and oversized prices with BAD_USER_INPUT', () => {
    for (const bad of [-1, 0, 1.5, Number.NaN, 2 ** 31]) {
      expect(() => assertPointsPrice(bad, 'pointsPrice')).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      );
    }
    for (const bad of [-1, 0.5]) {
      expect(() => assertCashPrice(bad, 'cashPrice')).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      );
    }
    expect(() => assertCashPrice(0, 'cashPrice')).not.toThrow();
    expect(() => assertPointsPrice(1, 'pointsPrice')).not.toThrow();
  });

  it('accepts only real discounts over a real window', () => {
    expect(() => assertPriceWindow(backToSchool, 500)).not.toThrow();
    expect(() => assertPriceWindow({ ...backToSchool, pointsPrice: 600 }, 500)).toThrow(/must not exceed/);
    expect(() => assertPriceWindow({ ...backToSchool, endsAt: backToSchool.startsAt }, 500)).toThrow(
      /end after/,
    );
    expect(() => assertPriceWindow({ ...backToSchool, pointsPrice: -5 }, 500)).toThrow(/whole number/);
  });
});
