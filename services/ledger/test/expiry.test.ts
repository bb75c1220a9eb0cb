import { requireDuration } from '@loyalty/platform';
import { dueLots, selectWarnings, type DueLot } from '../src/expiry/expiry.rules';
import { csvField, toCsv } from '../src/audit/audit-csv.rules';
import { canonicalJson, requestHash } from '@loyalty/platform';
import type { EntryRow } from '../src/entries/entry.entity';

const now = new Date(Date.UTC(2026, 5, 1, 12));
const at = (ms: number) => new Date(now.getTime() + ms);
const day = 86_400_000;
const lot = (
  id: string,
  memberId: string,
  remaining: number,
  expiresIn: number | null,
  earnedAgo = 365 * day,
): DueLot => ({
  id,
  memberId,
  kind: 'REGULAR',
  remaining,
  earnedAt: at(-earnedAgo),
  expiresAt: expiresIn === null ? null : at(expiresIn),
});

describe('expiry selection', () => {
  it('writes off only lots past expiry with points left, oldest expiry first', () => {
    const lots = [
      lot('a', 'm1', 70, -1000),
      lot('b', 'm1', 0, -1000),
      lot('c', 'm1', 10, 5000),
      lot('d', 'm2', 5, -1),
      lot('e', 'm1', 3, null),
    ];
    expect(dueLots(lots, now).map((l) => l.id)).toEqual(['a', 'd']);
  });
});

describe('warning selection', () => {
  const lead7 = { text: 'P7D', duration: requireDuration('P7D') };
  const leadS = { text: 'PT12S', duration: requireDuration('PT12S') };

  it('warns inside the lead window, skips lots credited with less validity than the lead', () => {
    const lots = [
      lot('inside', 'm', 10, 6 * day),
      lot('outside', 'm', 10, 8 * day),
      lot('short', 'm', 10, 3 * day, 1 * day),
      lot('spent', 'm', 0, 1 * day),
      lot('expired', 'm', 10, -1),
      lot('never', 'm', 10, null),
    ];
    const { send, skip } = selectWarnings(lots, lead7, now);
    expect(send.map((d) => d.lot.id)).toEqual(['inside']);
    expect(skip.map((d) => d.lot.id)).toEqual(['short']);
    expect(send[0].daysLeft).toBe(7);
    expect(selectWarnings([lot('s', 'm', 1, 5000)], leadS, now).send[0].daysLeft).toBe(0);
  });
});

describe('idempotency hashing and CSV', () => {
  it('hashes requests canonically', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: undefined, c: null }] })).toBe('{"a":[1,{"c":null}],"b":1}');
    expect(requestHash('credit', { a: 1, b: 2 })).toBe(requestHash('credit', { b: 2, a: 1 }));
    expect(requestHash('credit', { a: 1 })).not.toBe(requestHash('hold', { a: 1 }));
  });

  it('quotes CSV fields and defuses formulas', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField(-5)).toBe('-5');
    expect(csvField(null)).toBe('');
    const row = {
      createdAt: now,
      id: 'e1',
      memberId: 'm',
      sequence: 1,
      kind: 'REGULAR',
      type: 'EARN',
      points: 5,
      balanceAfter: 5,
      expiresAt: null,
      actor: 'service:x',
      description: 'x',
    } as unknown as EntryRow;
    expect(toCsv([row]).split('\r\n')[1]).toBe(
      `${now.toISOString()},e1,m,1,REGULAR,EARN,5,5,,,,,,,service:x,x`,
    );
  });
});
