import { PointKind } from '@loyalty/platform';
import { payingKind } from '../src/redemptions/redemption.rules';

describe('which points pay (C2)', () => {
  it('GREEN rewards take green points only', () => {
    const eco = { pointKind: PointKind.GREEN, acceptsAnyKind: false };
    expect(payingKind(eco, null)).toBe(PointKind.GREEN);
    expect(payingKind(eco, PointKind.GREEN)).toBe(PointKind.GREEN);
    expect(() => payingKind(eco, PointKind.REGULAR)).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT' }),
    );
  });

  it('REGULAR rewards take regular points, and green ones too when they accept either kind', () => {
    const plain = { pointKind: PointKind.REGULAR, acceptsAnyKind: false };
    const either = { pointKind: PointKind.REGULAR, acceptsAnyKind: true };
    expect(payingKind(plain, null)).toBe(PointKind.REGULAR);
    expect(() => payingKind(plain, PointKind.GREEN)).toThrow(/REGULAR points only/);
    expect(payingKind(either, PointKind.GREEN)).toBe(PointKind.GREEN);
    expect(payingKind(either, null)).toBe(PointKind.REGULAR);
  });
});
