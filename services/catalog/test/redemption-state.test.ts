import fc from 'fast-check';
import {
  assertTransition,
  canTransition,
  compensationFor,
  mayCancel,
  RedemptionStatus as S,
  restocks,
} from '../src/redemptions/redemption.state';

describe('redemption state machine', () => {
  it('allows exactly PENDING → CONFIRMED → FULFILLED and cancellation of open states', () => {
    const allowed = Object.values(S).flatMap((from) =>
      Object.values(S)
        .filter((to) => canTransition(from, to))
        .map((to) => `${from}>${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'CONFIRMED>CANCELLED',
        'CONFIRMED>FULFILLED',
        'FULFILLED>CANCELLED',
        'PENDING>CANCELLED',
        'PENDING>CONFIRMED',
      ].sort(),
    );
    expect(() => assertTransition(S.CANCELLED, S.CONFIRMED)).toThrow(
      expect.objectContaining({ code: 'CONFLICT' }),
    );
  });

  it('lets members cancel only confirmed redemptions; PENDING belongs to the saga and the operator', () => {
    expect(mayCancel(S.CONFIRMED, 'member')).toBe(true);
    expect(mayCancel(S.FULFILLED, 'member')).toBe(false);
    expect(mayCancel(S.PENDING, 'member')).toBe(false);
    expect(mayCancel(S.PENDING, 'merchant')).toBe(false);
    expect(mayCancel(S.PENDING, 'operator')).toBe(true);
    expect(mayCancel(S.FULFILLED, 'merchant')).toBe(true);
    expect(mayCancel(S.CANCELLED, 'operator')).toBe(false);
  });

  it('puts units back on the shelf only if they were not handed over', () => {
    expect(restocks(S.PENDING)).toBe(true);
    expect(restocks(S.CONFIRMED)).toBe(true);
    expect(restocks(S.FULFILLED)).toBe(false);
  });

  it('compensates 10% of the returned points, at least 1 (contract default)', () => {
    expect(compensationFor(200)).toBe(20);
    expect(compensationFor(5)).toBe(1);
    expect(compensationFor(1005)).toBe(100);
    expect(compensationFor(0)).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (points) => {
        const c = compensationFor(points);
        return Number.isInteger(c) && c >= 1 && c <= Math.max(1, points / 10);
      }),
    );
  });
});
