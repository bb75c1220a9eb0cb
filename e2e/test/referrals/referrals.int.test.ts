import { Topics, type EventEnvelope } from '@loyalty/platform';
import { eventually, testConfig, testEvent } from '@loyalty/testing';
import { ReferralHarness } from './support/harness';

const MY_REFERRALS = `{ me { referralCode referralLink referrals {
  id status rejectionReason inviter { id } invitee { id displayName }
  reward { inviterPoints inviteePoints credited reversedAt }
  inviteeDiscount { amountOff status }
} } }`;

describe('referrals through the gateway', () => {
  const h = new ReferralHarness(
    testConfig({
      REFERRAL_CAP_PER_PERIOD: '2',
      REFERRAL_MIN_PURCHASE_AMOUNT: '1000',
      REFERRAL_REFUND_WINDOW: 'P30D',
    }),
  );
  const rewarded: EventEnvelope<typeof Topics.referralRewarded>[] = [];

  beforeAll(async () => {
    await h.start();
    await h.graph.transport.listen(Topics.referralRewarded, (e) => rewarded.push(e));
  });
  afterAll(() => h.stop());

  it('gives every member a short unambiguous code and a share link', async () => {
    const a = await h.register('Alice');
    const res = await h.gql('{ me { referralCode referralLink } }', {}, h.tokens.member(a));
    expect(res.errors).toBeUndefined();
    const { referralCode, referralLink } = res.data!.me;
    expect(referralCode).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
    expect(referralLink).toBe(`https://loyalty.example/join?ref=${referralCode}`);
    // Stable: asking again gives the same code.
    expect(await h.codeOf(a)).toBe(referralCode);
  });

  it('B joins with A’s code: A gets nothing yet; B’s first purchase rewards both; the second nobody', async () => {
    const a = await h.register('Ann');
    const b = await h.invite(a, 'Bob');

    let mine = (await h.gql(MY_REFERRALS, {}, h.tokens.member(a))).data!.me;
    expect(mine.referrals).toEqual([
      {
        id: expect.any(String),
        status: 'REGISTERED',
        rejectionReason: null,
        inviter: { id: a },
        invitee: { id: b, displayName: 'Bob' },
        reward: null,
        inviteeDiscount: { amountOff: 1000, status: 'AVAILABLE' },
      },
    ]);
    expect(await h.ledgerCalls(a)).toEqual([]);
    // B sees the discount for the first order (and so does a partner at checkout).
    const discount = await h.gql(
      'query($id: ID!) { member(id: $id) { firstOrderDiscount { amountOff minimumSpend status } } }',
      { id: b },
      h.tokens.partner('merchant-1'),
    );
    expect(discount.data!.member.firstOrderDiscount).toEqual({
      amountOff: 1000,
      minimumSpend: 1000,
      status: 'AVAILABLE',
    });

    const first = h.purchase(b, 5000);
    await h.publish(first);
    const referral = (await h.referralOf(b))!;
    expect(referral.status).toBe('REWARDED');
    await h.settled(referral.id, 2);
    expect(await h.ledgerCalls(a)).toEqual([
      expect.objectContaining({
        operation: 'ledgerCredit',
        input: expect.objectContaining({
          points: 100,
          kind: 'REGULAR',
          idempotencyKey: `referrals:${referral.id}:inviter`,
          sourceType: 'referral',
        }),
      }),
    ]);
    expect(await h.ledgerCalls(b)).toEqual([
      expect.objectContaining({
        input: expect.objectContaining({ points: 50, idempotencyKey: `referrals:${referral.id}:invitee` }),
      }),
    ]);
    await eventually(async () => rewarded.find((e) => e.payload.referralId === referral.id));
    expect(rewarded.find((e) => e.payload.referralId === referral.id)!.payload).toMatchObject({
      referralId: referral.id,
      inviterId: a,
      inviteeId: b,
      inviterPoints: 100,
      inviteePoints: 50,
    });

    await h.publish(h.purchase(b, 9000));
    await h.app.grants.drain();
    expect(await h.balance(a)).toBe(100);
    expect(await h.balance(b)).toBe(50);

    mine = (await h.gql(MY_REFERRALS, {}, h.tokens.member(a))).data!.me;
    expect(mine.referrals[0]).toMatchObject({
      status: 'REWARDED',
      reward: { inviterPoints: 100, inviteePoints: 50, credited: true, reversedAt: null },
      inviteeDiscount: { amountOff: 1000, status: 'USED' },
    });
    const asInvitee = await h.gql('{ me { referredBy { status inviter { id } } } }', {}, h.tokens.member(b));
    expect(asInvitee.data!.me.referredBy).toEqual({ status: 'REWARDED', inviter: { id: a } });
  });

  it('refuses an unknown code at registration, writing nothing', async () => {
    const res = await h.gql(
      'mutation { registerMember(input: { displayName: "X", email: "x1@example.com", referralCode: "ZZZZZZZZ" }) { id } }',
    );
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const again = await h.gql(
      'mutation { registerMember(input: { displayName: "X", email: "x1@example.com" }) { id } }',
    );
    expect(again.errors).toBeUndefined();
  });

  it('does not qualify a first purchase below the minimum; a later one at the minimum does', async () => {
    const a = await h.register('Min inviter');
    const b = await h.invite(a, 'Min invitee');
    await h.publish(h.purchase(b, 999));
    expect((await h.referralOf(b))!.status).toBe('REGISTERED');
    await h.publish(h.purchase(b, 1000));
    expect((await h.referralOf(b))!.status).toBe('REWARDED');
  });

  it('rewards once when the same purchase.recorded is delivered 10 times concurrently', async () => {
    const a = await h.register('Concurrent inviter');
    const b = await h.invite(a, 'Concurrent invitee');
    const event = h.purchase(b, 5000);
    await Promise.all(Array.from({ length: 10 }, () => h.publish({ ...event })));
    const referral = (await h.referralOf(b))!;
    expect(referral.status).toBe('REWARDED');
    const grants = await h.settled(referral.id, 2);
    expect(grants.map((g) => g.idempotencyKey).sort()).toEqual([
      `referrals:${referral.id}:invitee`,
      `referrals:${referral.id}:inviter`,
    ]);
    expect(await h.ledgerCalls(a)).toHaveLength(1);
    expect(await h.balance(a)).toBe(100);
    expect(rewarded.filter((e) => e.payload.referralId === referral.id)).toHaveLength(1);
  });

  it('rewards once when different first purchases of one invitee race', async () => {
    const a = await h.register('Race inviter');
    const b = await h.invite(a, 'Race invitee');
    await Promise.all(Array.from({ length: 8 }, () => h.publish(h.purchase(b, 2000))));
    const referral = (await h.referralOf(b))!;
    await h.settled(referral.id, 2);
    expect(await h.balance(a)).toBe(100);
    expect(await h.balance(b)).toBe(50);
  });

  it('refuses self-referral (REJECTED with the reason)', async () => {
    const a = await h.register('Selfie');
    const own = await h.codeOf(a);
    const res = await h.gql(
      'mutation($code: String!) { applyReferralCode(code: $code) { status rejectionReason inviter { id } } }',
      { code: own.toLowerCase() },
      h.tokens.member(a),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.applyReferralCode).toEqual({
      status: 'REJECTED',
      rejectionReason: 'SELF_REFERRAL',
      inviter: { id: a },
    });
    await h.publish(h.purchase(a, 5000));
    await h.app.grants.drain();
    expect(await h.ledgerCalls(a)).toEqual([]);

    // The same refusal when a sign-up event carries the member's own code.
    const c = await h.register('Self by event');
    await h.publish(
      testEvent(
        Topics.memberRegistered,
        {
          memberId: c,
          joinedAt: new Date().toISOString(),
          registeredVia: 'self',
          referralCode: await h.codeOf(c),
        },
        { source: 'members' },
      ),
    );
    expect(await h.referralOf(c)).toMatchObject({ status: 'REJECTED', rejectionReason: 'SELF_REFERRAL' });
  });

  it('refuses loops A→B→A and A→B→C→A', async () => {
    const a = await h.register('Loop A');
    const b = await h.invite(a, 'Loop B');
    const back = await h.gql(
      'mutation($code: String!) { applyReferralCode(code: $code) { status rejectionReason } }',
      { code: await h.codeOf(b) },
      h.tokens.member(a),
    );
    expect(back.data!.applyReferralCode).toEqual({ status: 'REJECTED', rejectionReason: 'REFERRAL_LOOP' });

    const x = await h.register('Loop X');
    const y = await h.invite(x, 'Loop Y');
    const z = await h.invite(y, 'Loop Z');
    const admin = await h.gql(
      'mutation($code: String!, $id: ID!) { applyReferralCode(code: $code, memberId: $id) { status rejectionReason } }',
      { code: await h.codeOf(z), id: x },
      h.tokens.admin(),
    );
    expect(admin.data!.applyReferralCode).toEqual({ status: 'REJECTED', rejectionReason: 'REFERRAL_LOOP' });
  });

  it('refuses a loop that two members try to close at the same time', async () => {
    for (let round = 0; round < 3; round++) {
      const a = await h.register(`Mutual A ${round}`);
      const b = await h.register(`Mutual B ${round}`);
      const [codeA, codeB] = [await h.codeOf(a), await h.codeOf(b)];
      const apply = (member: string, code: string) =>
        h.gql(
          'mutation($code: String!) { applyReferralCode(code: $code) { status rejectionReason } }',
          { code },
          h.tokens.member(member),
        );
      const results = await Promise.all([apply(a, codeB), apply(b, codeA)]);
      const outcomes = results.map((r) => r.data!.applyReferralCode);
      expect(outcomes).toEqual(
        expect.arrayContaining([
          { status: 'REGISTERED', rejectionReason: null },
          { status: 'REJECTED', rejectionReason: 'REFERRAL_LOOP' },
        ]),
      );
    }
  });

  it('applies a code once, before the first purchase only', async () => {
    const a = await h.register('Late inviter');
    const b = await h.register('Late joiner');
    const code = await h.codeOf(a);
    const ok = await h.gql(
      'mutation($code: String!) { applyReferralCode(code: $code) { status inviter { id } } }',
      { code },
      h.tokens.member(b),
    );
    expect(ok.data!.applyReferralCode).toEqual({ status: 'REGISTERED', inviter: { id: a } });
    const twice = await h.gql(
      'mutation($code: String!) { applyReferralCode(code: $code) { status } }',
      { code },
      h.tokens.member(b),
    );
    expect(twice.errors?.[0].extensions?.code).toBe('CONFLICT');

    const buyer = await h.register('Already bought');
    await h.publish(h.purchase(buyer, 5000));
    const late = await h.gql(
      'mutation($code: String!) { applyReferralCode(code: $code) { status } }',
      { code },
      h.tokens.member(buyer),
    );
    expect(late.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await h.gql(
      'mutation { applyReferralCode(code: "22222222") { status } }',
      {},
      h.tokens.member(buyer),
    );
    expect(unknown.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const partner = await h.gql(
      'mutation($code: String!) { applyReferralCode(code: $code) { status } }',
      { code },
      h.tokens.partner('m'),
    );
    expect(partner.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('caps rewarded referrals per inviter per period', async () => {
    const a = await h.register('Cap inviter');
    const invitees = [];
    for (let i = 0; i < 3; i++) invitees.push(await h.invite(a, `Cap invitee ${i}`));
    for (const b of invitees) await h.publish(h.purchase(b, 5000));
    const statuses = await Promise.all(invitees.map((b) => h.referralOf(b)));
    expect(statuses.map((r) => [r!.status, r!.rejectionReason])).toEqual([
      ['REWARDED', null],
      ['REWARDED', null],
      ['REJECTED', 'CAP_REACHED'],
    ]);
    await h.app.grants.drain();
    expect(await h.balance(a)).toBe(200);
    expect(await h.balance(invitees[2])).toBe(0);
  });

  it('holds the cap when the invitees’ first purchases arrive concurrently', async () => {
    const a = await h.register('Busy inviter');
    const invitees: string[] = [];
    for (let i = 0; i < 5; i++) invitees.push(await h.invite(a, `Busy invitee ${i}`));
    await Promise.all(invitees.map((b) => h.publish(h.purchase(b, 5000))));
    const rows = await Promise.all(invitees.map((b) => h.referralOf(b)));
    expect(rows.filter((r) => r!.status === 'REWARDED')).toHaveLength(2);
    expect(rows.filter((r) => r!.rejectionReason === 'CAP_REACHED')).toHaveLength(3);
    await h.app.grants.drain();
    expect(await h.balance(a)).toBe(200);
  });

  it('reverses both rewards when the qualifying purchase is refunded within the window', async () => {
    const a = await h.register('Refund inviter');
    const b = await h.invite(a, 'Refund invitee');
    const purchase = h.purchase(b, 5000);
    await h.publish(purchase);
    const referral = (await h.referralOf(b))!;
    await h.settled(referral.id, 2);

    // A partial refund that leaves a qualifying amount changes nothing.
    await h.publish(h.refund(purchase, 2000));
    expect((await h.referralOf(b))!.status).toBe('REWARDED');

    await h.publish(h.refund(purchase, 5000));
    expect(await h.referralOf(b)).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'QUALIFYING_PURCHASE_REFUNDED',
    });
    await h.settled(referral.id, 4);
    expect(await h.balance(a)).toBe(0);
    expect(await h.balance(b)).toBe(0);
    expect((await h.ledgerCalls(a)).map((e) => [e.operation, e.input.idempotencyKey])).toEqual([
      ['ledgerCredit', `referrals:${referral.id}:inviter`],
      ['ledgerReverse', `referrals:${referral.id}:inviter:reverse`],
    ]);
    // A new purchase after the refund rewards nobody: refund-and-rebuy earns no second reward.
    await h.publish(h.purchase(b, 5000));
    await h.app.grants.drain();
    expect(await h.balance(a)).toBe(0);
    const mine = (await h.gql(MY_REFERRALS, {}, h.tokens.member(a))).data!.me.referrals[0];
    expect(mine).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'QUALIFYING_PURCHASE_REFUNDED',
      reward: { reversedAt: expect.any(String) },
    });
  });

  it('keeps the rewards when the refund comes after the window', async () => {
    const a = await h.register('Late refund inviter');
    const b = await h.invite(a, 'Late refund invitee');
    const purchase = h.purchase(b, 5000);
    await h.publish(purchase);
    await h.publish(h.refund(purchase, 5000, new Date(Date.now() + 31 * 86_400_000)));
    expect((await h.referralOf(b))!.status).toBe('REWARDED');
  });

  it('holds grants while the ledger is down and posts them once it is back', async () => {
    const a = await h.register('Outage inviter');
    const b = await h.invite(a, 'Outage invitee');
    await h.withLedgerDown(async () => {
      await h.publish(h.purchase(b, 5000));
      const referral = (await h.referralOf(b))!;
      expect(referral.status).toBe('REWARDED');
      await eventually(async () =>
        (await h.grantsOf(referral.id)).every((g) => g.attempts > 0 && g.status === 'PENDING'),
      );
      const pending = await h.gql(MY_REFERRALS, {}, h.tokens.member(a));
      expect(pending.data!.me.referrals[0].reward.credited).toBe(false);
    });
    const referral = (await h.referralOf(b))!;
    await h.settled(referral.id, 2);
    expect(await h.balance(a)).toBe(100);
    expect(await h.balance(b)).toBe(50);
  });
});
