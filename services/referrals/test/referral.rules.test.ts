import fc from 'fast-check';
import {
  CODE_ALPHABET,
  CODE_LENGTH,
  generateCode,
  normalizeCode,
  referralLink,
} from '../src/codes/referral-code.rules';
import { backoffMs } from '../src/grants/grant.service';
import { programmeTerms } from '../src/programme/programme.rules';
import {
  attributionRefusal,
  capReached,
  closesLoop,
  grantKey,
  purchaseQualifies,
  purchaseSettles,
  refundReverses,
} from '../src/referrals/referral.rules';
import { loadReferralsConfig } from '../src/config';
import { ConfigError, loadConfig } from '@loyalty/platform';

describe('referral codes', () => {
  it('are 8 characters from an alphabet without 0/O/1/I', () => {
    expect(CODE_ALPHABET).not.toMatch(/[01OI]/);
    expect(new Set(CODE_ALPHABET).size).toBe(32);
    for (let i = 0; i < 200; i++) expect(generateCode()).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
  });

  it('normalise what people type and refuse what cannot be a code', () => {
    expect(normalizeCode(' abcd-efgh ')).toBe('ABCDEFGH');
    expect(normalizeCode('ABCD EFGH')).toBe('ABCDEFGH');
    expect(normalizeCode('ABCDEFG0')).toBeNull(); // 0 is not in the alphabet
    expect(normalizeCode('ABCDEFGI')).toBeNull();
    expect(normalizeCode('ABC')).toBeNull();
    expect(normalizeCode('')).toBeNull();
    expect(normalizeCode(null)).toBeNull();
    fc.assert(
      fc.property(fc.string(), (s) => {
        const n = normalizeCode(s);
        return n === null || (n.length === CODE_LENGTH && [...n].every((c) => CODE_ALPHABET.includes(c)));
      }),
    );
    fc.assert(fc.property(fc.nat(), () => normalizeCode(generateCode()) !== null));
  });

  it('make share links', () => {
    expect(referralLink('https://x.example/join?ref=', 'ABCDEFGH')).toBe(
      'https://x.example/join?ref=ABCDEFGH',
    );
  });
});

describe('referral rules', () => {
  const chain = (edges: Record<string, string>) => async (id: string) => edges[id] ?? null;

  it('qualify purchases at or above the minimum', () => {
    expect(purchaseQualifies(999, 1000)).toBe(false);
    expect(purchaseQualifies(1000, 1000)).toBe(true);
    expect(purchaseQualifies(0, 1)).toBe(false);
  });

  it('refuse self-referral and loops of any length', async () => {
    expect(await attributionRefusal('a', 'a', chain({}))).toBe('SELF_REFERRAL');
    // b was invited by a; a now uses b's code: a → b → a.
    expect(await attributionRefusal('b', 'a', chain({ b: 'a' }))).toBe('REFERRAL_LOOP');
    // a → b → c; a uses c's code.
    expect(await attributionRefusal('c', 'a', chain({ c: 'b', b: 'a' }))).toBe('REFERRAL_LOOP');
    expect(await attributionRefusal('c', 'd', chain({ c: 'b', b: 'a' }))).toBeNull();
    // An old loop elsewhere does not hang the walk.
    expect(await closesLoop('x', 'd', chain({ x: 'y', y: 'x' }))).toBe(false);
  });

  it('cap per inviter (0: none)', () => {
    expect(capReached(1, 2)).toBe(false);
    expect(capReached(2, 2)).toBe(true);
    expect(capReached(1000, 0)).toBe(false);
  });

  it('reverse on a refund within the window that leaves less than the minimum', () => {
    const purchasedAt = new Date('2026-01-01T00:00:00Z');
    const windowEndsAt = new Date('2026-01-31T00:00:00Z');
    const base = { purchasedAt, windowEndsAt, purchaseAmount: 5000, minPurchaseAmount: 1000 };
    const at = new Date('2026-01-10T00:00:00Z');
    expect(refundReverses({ ...base, refundedAt: at, refundedTotal: 5000, fullyRefunded: true })).toBe(true);
    expect(refundReverses({ ...base, refundedAt: at, refundedTotal: 2000, fullyRefunded: false })).toBe(
      false,
    );
    expect(refundReverses({ ...base, refundedAt: at, refundedTotal: 4500, fullyRefunded: false })).toBe(true);
    const late = new Date('2026-02-01T00:00:00Z');
    expect(refundReverses({ ...base, refundedAt: late, refundedTotal: 5000, fullyRefunded: true })).toBe(
      false,
    );
  });

  it('use deterministic idempotency keys', () => {
    expect(grantKey('r1', 'inviter', 'CREDIT')).toBe('referrals:r1:inviter');
    expect(grantKey('r1', 'invitee', 'REVERSE')).toBe('referrals:r1:invitee:reverse');
  });

  it('back off grant retries up to five minutes', () => {
    expect(backoffMs(1)).toBe(500);
    expect(backoffMs(2)).toBe(1000);
    expect(backoffMs(30)).toBe(300_000);
  });

  it('read their settings with the contract defaults, refusing invalid values at start', () => {
    expect(loadReferralsConfig(loadConfig({}, {}))).toMatchObject({
      inviterPoints: 100,
      inviteePoints: 50,
      minPurchaseAmount: 1,
      capPerPeriod: 20,
      capPeriodText: 'P30D',
      refundWindowText: 'P30D',
      inviteeDiscount: 1000,
      linkBase: 'https://loyalty.example/join?ref=',
    });
    for (const [env, key] of [
      [{ REFERRAL_INVITER_POINTS: '-5' }, 'REFERRAL_INVITER_POINTS'],
      [{ REFERRAL_CAP_PERIOD: 'a month' }, 'REFERRAL_CAP_PERIOD'],
      [{ REFERRAL_LINK_BASE: 'not a url' }, 'REFERRAL_LINK_BASE'],
    ] as const) {
      expect(() => loadReferralsConfig(loadConfig(env, {}))).toThrow(ConfigError);
      expect(() => loadReferralsConfig(loadConfig(env, {}))).toThrow(key);
    }
  });

  it('state the programme in words from the settings', () => {
    const s = loadReferralsConfig(
      loadConfig({ REFERRAL_CAP_PER_PERIOD: '5', REFERRAL_MIN_PURCHASE_AMOUNT: '1000' }, {}),
    );
    expect(s).toMatchObject({
      inviterPoints: 100,
      inviteePoints: 50,
      capPerPeriod: 5,
      minPurchaseAmount: 1000,
    });
    const terms = programmeTerms(s).join('\n');
    expect(terms).toContain('at least 10.00 yuan');
    expect(terms).toContain('at most 5 friends per P30D');
    expect(terms).toContain('refunded within P30D');
  });
});

describe('purchaseSettles (a further purchase can change nothing)', () => {
  const state = (
    firstPurchaseMarked: boolean,
    earlyPurchaseKept: boolean,
    referralStatus: string | null,
  ) => ({
    code: { firstPurchaseAt: firstPurchaseMarked ? new Date() : null },
    earlyPurchaseKept,
    referralStatus,
  });
  it('is true only once the first purchase is marked and the referral is decided or an early purchase waits for it', () => {
    expect(purchaseSettles(state(true, true, null))).toBe(true);
    expect(purchaseSettles(state(true, false, 'REWARDED'))).toBe(true);
    expect(purchaseSettles(state(true, true, 'REJECTED'))).toBe(true);
    // The first purchase is still to be marked.
    expect(purchaseSettles(state(false, true, 'REWARDED'))).toBe(false);
    // No referral and nothing kept: a later purchase may be the one kept.
    expect(purchaseSettles(state(true, false, null))).toBe(false);
    // A referral waiting for its qualifying purchase.
    expect(purchaseSettles(state(true, true, 'REGISTERED'))).toBe(false);
    expect(purchaseSettles(state(true, false, 'INVITED'))).toBe(false);
  });
});
