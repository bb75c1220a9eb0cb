import { randomUUID } from 'node:crypto';
import { requestScope, Topics, type EventEnvelope, type UnitOfWork } from '@loyalty/platform';
import {
  eventually,
  FakeLedger,
  purchaseRecordedEvent,
  purchaseRefundedEvent,
  testConfig,
  testEvent,
  serviceSql,
  useService,
} from '@loyalty/testing';
import { createApp } from '../src/app';
import { REFERRAL_SOURCE_TYPE, type LedgerClient } from '../src/peers/ledger.client';
import type { ReferralRow } from '../src/referrals/referral.entity';
import { referralsService } from '../src/service';

type Purchase = EventEnvelope<typeof Topics.purchaseRecorded>;

/**
 * The invitee's first purchase handled before their registration (the two come on different
 * streams): the registration qualifies the referral with it, exactly once, in either order and
 * when the two race, on SQLite and MySQL alike (real database; the ledger is the contract-checked
 * in-memory one).
 */
describe('a first purchase handled before the registration (real database)', () => {
  const config = testConfig({
    REFERRAL_MIN_PURCHASE_AMOUNT: '1000',
    REFERRAL_CAP_PER_PERIOD: '3',
    REFERRAL_REFUND_WINDOW: 'P30D',
    REFERRAL_INVITER_POINTS: '100',
    REFERRAL_INVITEE_POINTS: '50',
  });
  const fake = new FakeLedger();
  const ledger: LedgerClient = {
    credit: async (r) => ({
      entryId: (await fake.credit({ ...r, kind: 'REGULAR', sourceType: REFERRAL_SOURCE_TYPE })).entryId,
    }),
    reverse: async (r) => {
      const done = await fake.reverse({ ...r, kind: 'REGULAR', sourceType: REFERRAL_SOURCE_TYPE });
      return { entryId: done.entryId, shortfall: done.shortfall };
    },
  };
  const running = useService({ ...referralsService, createApp: (rt) => createApp(rt, ledger) }, config);

  const app = () => running().app;
  const { query, mysql } = serviceSql(running);
  const publish = (...events: EventEnvelope[]) => running().runtime.transport.publish(events);

  const registration = (memberId: string, referralCode: string | null = null) =>
    testEvent(
      Topics.memberRegistered,
      { memberId, joinedAt: new Date().toISOString(), registeredVia: 'self', referralCode },
      { source: 'members' },
    );
  const purchase = (memberId: string, amount: number): Purchase => purchaseRecordedEvent(memberId, amount);
  const refund = (p: Purchase, refundedTotal: number, at = new Date()) =>
    purchaseRefundedEvent(p, refundedTotal, at);

  /** A registered member who invites: their id and code. */
  const inviter = async () => {
    const id = randomUUID();
    await publish(registration(id));
    const [row] = await app().codes.byMemberIds([id]);
    return { id, code: row!.code };
  };
  const referralOf = async (inviteeId: string): Promise<ReferralRow | null> =>
    (await app().queries.byInviteeIds([inviteeId]))[0];
  /** Events the service wrote for a referral (its outbox is the record of what it announced). */
  const announced = async (topic: string, referralId: string) =>
    (await query<{ payload: string }>('SELECT payload FROM outbox_events WHERE topic = ?', [topic]))
      .map((r) => JSON.parse(r.payload) as { referralId: string })
      .filter((p) => p.referralId === referralId);
  /** Keys the ledger applied for a referral (replays are not effects). */
  const ledgerKeys = (referralId: string) => ({
    credits: [...fake.credits.keys()].filter((k) => k.startsWith(`referrals:${referralId}:`)).sort(),
    reversals: [...fake.reversals.keys()].filter((k) => k.startsWith(`referrals:${referralId}:`)).sort(),
  });

  /**
   * Waits until the referral's `n` grants are all posted (a drain may leave grants a nudged
   * poster round holds, and a reversal waits for its credit).
   */
  const settled = (referralId: string, n: number) =>
    eventually(async () => {
      await app().grants.drain();
      const grants = (await app().queries.grantsByReferralIds([referralId]))[0];
      return grants.length === n && grants.every((g) => g.status === 'POSTED') ? grants : null;
    });

  /** Exactly one reward for the invitee, with the purchase, posted once to the ledger. */
  const expectRewardedOnce = async (inviterId: string, inviteeId: string, p: Purchase) => {
    const referral = await referralOf(inviteeId);
    expect(referral).toMatchObject({
      inviterId,
      status: 'REWARDED',
      qualifyingPurchaseId: p.payload.purchaseId,
      qualifyingAmount: p.payload.amount,
      qualifyingMerchantId: 'merchant-1',
      inviterPoints: 100,
      inviteePoints: 50,
      discountStatus: 'USED',
    });
    const grants = await settled(referral!.id, 2);
    expect(grants.map((g) => [g.idempotencyKey, g.operation, g.points, g.status]).sort()).toEqual([
      [`referrals:${referral!.id}:invitee`, 'CREDIT', 50, 'POSTED'],
      [`referrals:${referral!.id}:inviter`, 'CREDIT', 100, 'POSTED'],
    ]);
    expect(ledgerKeys(referral!.id)).toEqual({
      credits: [`referrals:${referral!.id}:invitee`, `referrals:${referral!.id}:inviter`],
      reversals: [],
    });
    expect(fake.balance(inviteeId)).toBe(50);
    expect(await announced(Topics.referralRewarded, referral!.id)).toHaveLength(1);
    return referral!;
  };

  /**
   * Runs `first` in a transaction held open, then `second` against it; on MySQL waits until
   * `second` is blocked on a lock `first` holds (seen in InnoDB's transactions, not by time),
   * then lets `first` commit. SQLite serialises transactions: `second` simply runs after.
   */
  const whileOpen = async (first: (uow: UnitOfWork) => Promise<void>, second: () => Promise<void>) => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const held = running().runtime.transactor.run(async (uow) => {
      await first(uow);
      entered();
      await gate;
    });
    try {
      await inside;
      let finished = false;
      const other = second().finally(() => (finished = true));
      try {
        if (mysql()) {
          // The second's statement stays in progress while the first sits idle holding its locks
          // (MariaDB does not always list such a wait in INNODB_TRX): that is the interleaving
          // wanted. The outcome must be right whichever way it goes; this only makes it likely.
          await eventually(async () => {
            if (finished) throw new Error('the second transaction did not wait for the first');
            const [{ n }] = await query<{ n: number | string }>(
              `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST
                WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND COMMAND = 'Query' AND TIME_MS >= 200`,
            );
            return Number(n) > 0 ? true : null;
          });
        }
      } finally {
        release();
      }
      await Promise.all([held, other]);
    } finally {
      release();
    }
  };

  it('rewards once when the purchase is handled before the registration', async () => {
    const a = await inviter();
    const b = randomUUID();
    const p = purchase(b, 5000);
    await publish(p);
    expect(await referralOf(b)).toBeNull();
    await publish(registration(b, a.code));
    await expectRewardedOnce(a.id, b, p);
    // Later purchases, and the early one delivered again, reward nobody.
    await publish(purchase(b, 9000), { ...p, id: randomUUID() });
    await expectRewardedOnce(a.id, b, p);
  });

  it('rewards once when the registration is handled first (unchanged)', async () => {
    const a = await inviter();
    const b = randomUUID();
    await publish(registration(b, a.code));
    const p = purchase(b, 5000);
    await publish(p);
    await expectRewardedOnce(a.id, b, p);
  });

  it('keeps the first qualifying early purchase: one below the minimum does not qualify, a repeat changes nothing', async () => {
    const a = await inviter();
    const b = randomUUID();
    const small = purchase(b, 999);
    const first = purchase(b, 1000);
    const second = purchase(b, 7000);
    await publish(small, first, first, second);
    await publish(registration(b, a.code));
    await expectRewardedOnce(a.id, b, first);
  });

  it('does not reward an early purchase below the minimum; a later purchase at the minimum does', async () => {
    const a = await inviter();
    const b = randomUUID();
    await publish(purchase(b, 999));
    await publish(registration(b, a.code));
    expect(await referralOf(b)).toMatchObject({ status: 'REGISTERED', qualifyingPurchaseId: null });
    const p = purchase(b, 1000);
    await publish(p);
    await expectRewardedOnce(a.id, b, p);
  });

  it('rewards once when registration and purchase race, in both orders, many invitees at once', async () => {
    const invitees = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const a = await inviter();
        return { a, b: randomUUID(), p: null as Purchase | null, i };
      }),
    );
    await Promise.all(
      invitees.map(async (x) => {
        x.p = purchase(x.b, 2000 + x.i);
        const events = [registration(x.b, x.a.code), x.p];
        if (x.i % 2) events.reverse();
        // Both streams at once: each event on its own, concurrently.
        await Promise.all(events.map((e) => publish(e)));
      }),
    );
    for (const x of invitees) await expectRewardedOnce(x.a.id, x.b, x.p!);
  });

  it('rewards once when the registration runs while the purchase’s transaction is still open', async () => {
    const a = await inviter();
    const b = randomUUID();
    const p = purchase(b, 5000);
    await whileOpen(
      (uow) => app().rewards.onPurchaseRecorded(p, uow),
      () => publish(registration(b, a.code)),
    );
    await expectRewardedOnce(a.id, b, p);
  });

  it('rewards once when the purchase runs while the registration’s transaction is still open', async () => {
    const a = await inviter();
    const b = randomUUID();
    const p = purchase(b, 5000);
    await whileOpen(
      (uow) => app().referrals.onMemberRegistered(registration(b, a.code), uow),
      () => publish(p),
    );
    await expectRewardedOnce(a.id, b, p);
  });

  it('refuses the referral when the early purchase was refunded before the registration: nothing paid', async () => {
    const a = await inviter();
    const b = randomUUID();
    const p = purchase(b, 5000);
    // A partial refund leaving a qualifying amount changes nothing (as for a rewarded referral).
    await publish(p, refund(p, 2000), refund(p, 5000));
    await publish(registration(b, a.code));
    const referral = await referralOf(b);
    expect(referral).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'QUALIFYING_PURCHASE_REFUNDED',
      qualifyingPurchaseId: p.payload.purchaseId,
      rewardedAt: null,
      inviterPoints: null,
      discountStatus: 'VOID',
    });
    expect(await app().queries.grantsByReferralIds([referral!.id])).toEqual([[]]);
    expect(ledgerKeys(referral!.id)).toEqual({ credits: [], reversals: [] });
    // Refund-and-rebuy earns nothing, as when the reward had been paid and reversed.
    await publish(purchase(b, 5000));
    expect((await referralOf(b))!.status).toBe('REJECTED');
  });

  it('rewards an early purchase partly refunded (still at the minimum) or refunded after the window', async () => {
    const a = await inviter();
    const partly = randomUUID();
    const p1 = purchase(partly, 5000);
    await publish(p1, refund(p1, 4000));
    await publish(registration(partly, a.code));
    await expectRewardedOnce(a.id, partly, p1);

    const late = randomUUID();
    const p2 = purchase(late, 5000);
    await publish(p2, refund(p2, 5000, new Date(Date.now() + 31 * 86_400_000)));
    await publish(registration(late, a.code));
    await expectRewardedOnce(a.id, late, p2);
  });

  it('reverses a reward qualified by an early purchase when that purchase is refunded afterwards', async () => {
    const a = await inviter();
    const b = randomUUID();
    const p = purchase(b, 5000);
    await publish(p);
    await publish(registration(b, a.code));
    const referral = await expectRewardedOnce(a.id, b, p);
    await publish(refund(p, 5000));
    expect(await referralOf(b)).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'QUALIFYING_PURCHASE_REFUNDED',
    });
    await settled(referral.id, 4);
    expect(ledgerKeys(referral.id).reversals).toEqual([
      `referrals:${referral.id}:invitee:reverse`,
      `referrals:${referral.id}:inviter:reverse`,
    ]);
    expect(fake.balance(b)).toBe(0);
  });

  it('reverses when the refund runs while the registration that rewarded the early purchase is still open', async () => {
    const a = await inviter();
    const b = randomUUID();
    const p = purchase(b, 5000);
    await publish(p);
    await whileOpen(
      (uow) => app().referrals.onMemberRegistered(registration(b, a.code), uow),
      () => publish(refund(p, 5000)),
    );
    const referral = await referralOf(b);
    expect(referral).toMatchObject({ status: 'REJECTED', rejectionReason: 'QUALIFYING_PURCHASE_REFUNDED' });
    await settled(referral!.id, 4);
    expect(ledgerKeys(referral!.id)).toEqual({
      credits: [`referrals:${referral!.id}:invitee`, `referrals:${referral!.id}:inviter`],
      reversals: [`referrals:${referral!.id}:invitee:reverse`, `referrals:${referral!.id}:inviter:reverse`],
    });
    expect(fake.balance(b)).toBe(0);
  });

  it('refuses when the registration runs while the early refund’s transaction is still open', async () => {
    const a = await inviter();
    const b = randomUUID();
    const p = purchase(b, 5000);
    await publish(p);
    await whileOpen(
      (uow) => app().reversals.onPurchaseRefunded(refund(p, 5000), uow),
      () => publish(registration(b, a.code)),
    );
    const referral = await referralOf(b);
    expect(referral).toMatchObject({ status: 'REJECTED', rejectionReason: 'QUALIFYING_PURCHASE_REFUNDED' });
    expect(ledgerKeys(referral!.id)).toEqual({ credits: [], reversals: [] });
  });

  it('holds the inviter’s cap for referrals qualified at registration', async () => {
    const a = await inviter();
    const invitees = Array.from({ length: 4 }, () => randomUUID());
    for (const b of invitees) await publish(purchase(b, 5000));
    for (const b of invitees) await publish(registration(b, a.code));
    const rows = await Promise.all(invitees.map(referralOf));
    expect(rows.map((r) => [r!.status, r!.rejectionReason])).toEqual([
      ['REWARDED', null],
      ['REWARDED', null],
      ['REWARDED', null],
      ['REJECTED', 'CAP_REACHED'],
    ]);
    for (const r of rows.slice(0, 3)) await settled(r!.id, 2);
    expect(await app().queries.grantsByReferralIds([rows[3]!.id])).toEqual([[]]);
    expect(fake.balance(a.id)).toBe(300);
  });

  /** The statements one delivery sends (in a request scope: not the relays'). */
  const statementsOf = async (...events: EventEnvelope[]) => {
    const counter = running().runtime.db.queries;
    counter.reset(true);
    await requestScope.run({}, () => publish(...events));
    const statements = [...counter.statements];
    counter.reset();
    return statements;
  };
  const inboxed = async (eventId: string) =>
    (
      await query("SELECT eventId FROM inbox_events WHERE consumer = 'referrals.purchases' AND eventId = ?", [
        eventId,
      ])
    ).length === 1;
  const table = (name: string) => `[\`"]${name}[\`"]`;
  /** The consumer's one read before any transaction (and the handler's, in its transaction). */
  const SETTLED_READ = new RegExp(
    `^SELECT .* FROM ${table('referral_codes')} .*LEFT JOIN ${table('referral_early_purchases')} .*LEFT JOIN ${table('referrals')}`,
  );
  const settledRead = expect.stringMatching(SETTLED_READ);

  it('skips a later purchase of a member whose referral it can no longer change: one read, no transaction, no inbox row', async () => {
    // No referral, an early purchase kept: a referral registered later is qualified with that one.
    const m = randomUUID();
    await publish(registration(m));
    const first = purchase(m, 5000);
    expect(await statementsOf(first)).not.toEqual([settledRead]);
    expect(await inboxed(first.id)).toBe(true);
    expect(await query('SELECT memberId FROM referral_early_purchases WHERE memberId = ?', [m])).toHaveLength(
      1,
    );
    const later = purchase(m, 5000);
    expect(await statementsOf(later)).toEqual([settledRead]);
    expect(await inboxed(later.id)).toBe(false);

    // A decided referral (REWARDED is final): the same.
    const a = await inviter();
    const b = randomUUID();
    await publish(registration(b, a.code));
    const p = purchase(b, 5000);
    await publish(p);
    await expectRewardedOnce(a.id, b, p);
    const again = purchase(b, 9000);
    expect(await statementsOf(again)).toEqual([settledRead]);
    expect(await inboxed(again.id)).toBe(false);
    await expectRewardedOnce(a.id, b, p);
  });

  it('reads once for a delivery of several purchases, and takes only those that may matter', async () => {
    const m = randomUUID();
    await publish(registration(m));
    await publish(purchase(m, 5000)); // kept: m's later purchases change nothing
    const n = randomUUID();
    await publish(registration(n));
    const later = [purchase(m, 100), purchase(m, 200)];
    const fresh = purchase(n, 5000); // n's first: handled
    const statements = await statementsOf(later[0], fresh, later[1]);
    // One read for the three before any transaction, then n's purchase handled (which reads again
    // in its transaction); m's two skipped.
    expect(statements[0]).toEqual(settledRead);
    expect(statements.filter((sql) => SETTLED_READ.test(sql))).toHaveLength(2);
    expect(await inboxed(fresh.id)).toBe(true);
    expect(await Promise.all(later.map((p) => inboxed(p.id)))).toEqual([false, false]);
  });

  it('still handles every purchase that may matter: a member’s first, and any while their referral waits', async () => {
    const a = await inviter();
    const b = randomUUID();
    // The first purchase, before any registration: handled (it marks the code and is kept).
    const small = purchase(b, 999);
    await publish(small);
    expect(await inboxed(small.id)).toBe(true);
    // Marked, but nothing kept (below the minimum) and no referral: a later one may qualify.
    const early = purchase(b, 1000);
    await publish(early);
    expect(await inboxed(early.id)).toBe(true);
    await publish(registration(b, a.code));
    await expectRewardedOnce(a.id, b, early);

    // A REGISTERED referral waits for a qualifying purchase: each is handled until one qualifies.
    const c = randomUUID();
    await publish(registration(c, a.code));
    const below = purchase(c, 999);
    await publish(below);
    expect(await inboxed(below.id)).toBe(true);
    expect(await referralOf(c)).toMatchObject({ status: 'REGISTERED' });
    const qualifying = purchase(c, 1000);
    await publish(qualifying);
    expect(await inboxed(qualifying.id)).toBe(true);
    await expectRewardedOnce(a.id, c, qualifying);
  });
});
