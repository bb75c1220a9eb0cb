import fc from 'fast-check';
import { ErrorCode } from '@loyalty/platform';
import { parseAuditParams } from '../src/audit/audit-export.rules';
import { csvHeader, csvLine, toCsv } from '../src/audit/audit-csv.rules';
import type { EntryRow } from '../src/entries/entry.entity';
import {
  apportion,
  co2eGrams,
  greenLines,
  normaliseCategory,
  parseCo2eFactors,
  refundLines,
  withPoints,
} from '../src/reports/green.rules';
import { assertPeriod, liabilityFigures } from '../src/reports/liability.rules';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { extensions?: { code?: string } }).extensions?.code;
  }
  return undefined;
};

describe('liability rules', () => {
  it('splits movements into issued, redeemed, expired and reversed', () => {
    const f = liabilityFigures({
      lotsInPeriod: new Map([
        ['EARN', 100],
        ['COMPENSATE', 10],
        ['ADJUST', 5],
        ['RESTORE', 7],
      ]),
      movesInPeriod: new Map([
        ['HOLD', -40],
        ['RELEASE', 15],
        ['EXPIRE', -11],
        ['REVERSE', -6],
        ['ADJUST', -2],
      ]),
      heldAtTo: 78,
    });
    expect(f).toEqual({
      issued: 115,
      redeemed: 18,
      expired: 11,
      reversed: 8,
      outstanding: 78,
      breakageRate: 11 / 115,
    });
    expect(
      Object.is(
        liabilityFigures({ lotsInPeriod: new Map(), movesInPeriod: new Map(), heldAtTo: 0 }).expired,
        0,
      ),
    ).toBe(true);
    expect(
      liabilityFigures({ lotsInPeriod: new Map(), movesInPeriod: new Map(), heldAtTo: 0 }).breakageRate,
    ).toBe(0);
  });

  it('refuses a period whose from is after its to', () => {
    expect(codeOf(() => assertPeriod(new Date(2), new Date(1)))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(codeOf(() => assertPeriod(new Date(NaN), new Date(1)))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(assertPeriod(new Date(1), new Date(1))).toEqual({ from: new Date(1), to: new Date(1) });
  });
});

describe('green rules', () => {
  it('apportions exactly, in proportion (property)', () => {
    fc.assert(
      fc.property(
        fc.nat(100_000),
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 8 }),
        (total, weights) => {
          const shares = apportion(total, weights);
          expect(shares.reduce((s, x) => s + x, 0)).toBe(total);
          const sum = weights.reduce((s, w) => s + w, 0);
          shares.forEach((x, i) => expect(Math.abs(x - (total * weights[i]) / sum)).toBeLessThan(1));
        },
      ),
    );
  });

  it('refunds never take more than the purchase, and a whole refund takes everything (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ amount: fc.integer({ min: 1, max: 100_000 }), points: fc.nat(1000) }), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.array(fc.integer({ min: 1, max: 50_000 }), { maxLength: 6 }),
        (raw, refunds) => {
          const lines = raw.map((l, i) => ({ category: `c${i}`, ...l }));
          const purchase = lines.reduce((s, l) => s + l.amount, 0) + 1000;
          let refunded = 0;
          const taken = new Map<string, number>();
          for (const r of [...refunds, purchase]) {
            const next = Math.min(purchase, refunded + r);
            for (const t of refundLines(lines, purchase, refunded, next)) {
              expect(t.amount).toBeLessThanOrEqual(0);
              taken.set(t.category, (taken.get(t.category) ?? 0) + t.amount);
            }
            refunded = next;
          }
          for (const l of lines) expect(-(taken.get(l.category) ?? 0)).toBe(l.amount);
        },
      ),
    );
  });

  it('groups green items per category and shares the GREEN points by amount', () => {
    const lines = greenLines([
      { category: 'Public Transport', amount: 200 },
      { category: null, amount: 100 },
      { category: 'public-transport', amount: 100 },
    ]);
    expect(withPoints(lines, 4)).toEqual([
      { category: 'public_transport', amount: 300, points: 3 },
      { category: 'other', amount: 100, points: 1 },
    ]);
  });

  it('reads GREEN_CO2E_FACTORS over the defaults', () => {
    const f = parseCo2eFactors('organic food:80, default:5');
    expect(co2eGrams(f, normaliseCategory('Organic Food'), 1000)).toBe(800);
    expect(co2eGrams(f, 'energy_saving', 100)).toBe(570);
    expect(co2eGrams(f, 'anything', 1000)).toBe(50);
    expect(() => parseCo2eFactors('transport=5')).toThrow(/category:grams/);
    expect(() => parseCo2eFactors('transport:-5')).toThrow();
  });
});

describe('audit export parameters', () => {
  it('reads the filter and refuses anything unknown or malformed', () => {
    expect(
      parseAuditParams(new URLSearchParams('merchantId=m1&kind=GREEN&type=EXPIRE&from=2026-01-01T00:00:00Z')),
    ).toEqual({
      memberId: null,
      merchantId: 'm1',
      kind: 'GREEN',
      type: 'EXPIRE',
      from: new Date('2026-01-01T00:00:00Z'),
      to: null,
    });
    for (const q of [
      'limit=5',
      'kind=GOLD',
      'type=X',
      'from=soon',
      'from=2026-02-01&to=2026-01-01',
      'memberId=a%20b',
      'kind=GREEN&kind=REGULAR',
    ])
      expect([q, codeOf(() => parseAuditParams(new URLSearchParams(q)))]).toEqual([
        q,
        ErrorCode.BAD_USER_INPUT,
      ]);
  });

  it('writes the same CSV line by line as in one piece', () => {
    const row = {
      id: 'e1',
      memberId: 'm1',
      sequence: 1,
      kind: 'REGULAR',
      type: 'EARN',
      points: 5,
      balanceAfter: 5,
      description: '=1+2, "x"',
      merchantId: null,
      campaignId: null,
      sourceType: null,
      sourceId: null,
      lotId: null,
      holdId: null,
      expiresAt: null,
      actor: 'service:x',
      createdAt: new Date(0),
    } as EntryRow;
    expect(csvHeader() + csvLine(row) + csvLine(row)).toBe(toCsv([row, row]));
    expect(csvLine(row)).toContain('"\'=1+2, ""x"""');
  });
});
