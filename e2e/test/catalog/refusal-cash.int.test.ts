import { Topics, type EventEnvelope } from '@loyalty/platform';
import { CatalogHarness } from './support/harness';

const CASH = 'id status points cashAmount cashState cashPaid cashRefunded';

/**
 * A redemption the ledger refuses leaves nothing behind but its answer; the cash part of a
 * points-plus-cash redemption is an amount with a state (L10), refunded by a cancellation.
 */
describe('refused redemptions and the cash part', () => {
  const h = new CatalogHarness();
  const events: EventEnvelope[] = [];
  let shop: string;

  beforeAll(async () => {
    await h.start();
    shop = await h.merchant('Travel Desk', 'travel');
    await h.graph.transport.listen(Topics.redemptionStatusChanged, (e) => {
      events.push(e);
    });
  });
  afterAll(() => h.stop());

  const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) =>
    res.errors?.[0]?.extensions?.code;

  it('refused for INSUFFICIENT_POINTS: no redemption, no status event, and a replay gets the same refusal', async () => {
    const reward = await h.reward({
      name: 'Ferry ticket',
      kind: 'TICKET',
      pointsPrice: 300,
      stock: 5,
      merchantId: shop,
    });
    const m = await h.member('Short Of Points');
    await h.give(m, 100);
    const before = {
      redemptions: await h.count('redemptions'),
      transitions: await h.count('redemption_transitions'),
    };
    const token = h.tokens.member(m);

    const refused = await h.redeem({ rewardId: reward, idempotencyKey: 'ferry' }, token);
    expect(codeOf(refused)).toBe('INSUFFICIENT_POINTS');
    expect(await h.count('redemptions')).toBe(before.redemptions);
    expect(await h.count('redemption_transitions')).toBe(before.transitions);
    expect(await h.stock(reward)).toBe(5);
    expect(await h.balance(m)).toBe(100);
    expect(await h.held(m)).toBe(0);
    const listed = await h.ok(
      'query($id: ID!) { member(id: $id) { redemptions(first: 10) { edges { node { id } } } } }',
      { id: m },
      token,
    );
    expect(listed.member.redemptions.edges).toEqual([]);
    const partnerList = await h.ok(
      'query($m: ID!) { redemptions(merchantId: $m, first: 50) { edges { node { member { id } } } } }',
      { m: shop },
      h.tokens.partner(shop),
    );
    expect(
      partnerList.redemptions.edges.filter(
        (e: { node: { member: { id: string } } }) => e.node.member.id === m,
      ),
    ).toEqual([]);

    // Even with enough points now, the key answers as it did; another request under it is CONFLICT.
    await h.give(m, 500);
    const replay = await h.redeem({ rewardId: reward, idempotencyKey: 'ferry' }, token);
    expect(codeOf(replay)).toBe('INSUFFICIENT_POINTS');
    expect(replay.errors![0].message).toBe(refused.errors![0].message);
    const other = await h.redeem({ rewardId: reward, idempotencyKey: 'ferry', quantity: 2 }, token);
    expect(codeOf(other)).toBe('CONFLICT');
    expect(await h.count('redemptions')).toBe(before.redemptions);
    expect(events.filter((e) => (e.payload as { memberId: string }).memberId === m)).toEqual([]);

    // A new key redeems.
    const ok = await h.redeem({ rewardId: reward, idempotencyKey: 'ferry-2' }, token);
    expect(ok.data!.redeemReward.status).toBe('CONFIRMED');
    expect(await h.balance(m)).toBe(300);
  });

  it('records the cash part as owed, paid and refunded amounts, never as points', async () => {
    const reward = await h.reward(
      { name: 'Weekend tour', kind: 'TICKET', pointsPrice: 200, cashPrice: 9900, merchantId: shop },
      h.tokens.partner(shop),
    );
    const m = await h.member('Tourist');
    await h.give(m, 500);
    const redeemed = await h.ok(
      `mutation($i: RedeemInput!) { redeemReward(input: $i) { ${CASH} } }`,
      { i: { rewardId: reward, idempotencyKey: 'tour' } },
      h.tokens.member(m),
    );
    const id = redeemed.redeemReward.id as string;
    expect(redeemed.redeemReward).toMatchObject({
      status: 'CONFIRMED',
      points: 200,
      cashAmount: 9900,
      cashState: 'OWED',
      cashPaid: 0,
      cashRefunded: 0,
    });
    expect(await h.balance(m)).toBe(300);

    const pay = `mutation($id: ID!) { recordRedemptionCashPaid(id: $id) { ${CASH} } }`;
    const other = await h.merchant('Someone Else');
    expect(codeOf(await h.gql(pay, { id }, h.tokens.partner(other)))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(pay, { id }, h.tokens.member(m)))).toBe('FORBIDDEN');
    const paid = await h.ok(pay, { id }, h.tokens.partner(shop));
    expect(paid.recordRedemptionCashPaid).toMatchObject({
      cashState: 'PAID',
      cashPaid: 9900,
      cashRefunded: 0,
    });
    expect((await h.ok(pay, { id }, h.tokens.partner(shop))).recordRedemptionCashPaid.cashPaid).toBe(9900);
    expect(await h.balance(m)).toBe(300);

    const cancelled = await h.ok(
      `mutation($id: ID!) { cancelRedemption(id: $id, reason: "Tour cancelled by the operator", compensate: false) { ${CASH} } }`,
      { id },
      h.tokens.partner(shop),
    );
    expect(cancelled.cancelRedemption).toMatchObject({
      status: 'CANCELLED',
      cashState: 'REFUNDED',
      cashPaid: 9900,
      cashRefunded: 9900,
    });
    // The points come back as points; the cash only as the refunded amount.
    expect(await h.balance(m)).toBe(500);
    expect(codeOf(await h.gql(pay, { id }, h.tokens.partner(shop)))).toBe('CONFLICT');

    const free = await h.reward({ name: 'Map', kind: 'GOODS', pointsPrice: 10, merchantId: shop });
    const map = await h.ok(
      `mutation($i: RedeemInput!) { redeemReward(input: $i) { ${CASH} } }`,
      { i: { rewardId: free, idempotencyKey: 'map' } },
      h.tokens.member(m),
    );
    expect(map.redeemReward).toMatchObject({ cashState: 'NONE', cashAmount: 0 });
    expect(codeOf(await h.gql(pay, { id: map.redeemReward.id }, h.tokens.admin()))).toBe('BAD_USER_INPUT');
  });

  it('a cancellation of an unpaid cash part leaves nothing owed', async () => {
    const reward = await h.reward({
      name: 'Boat trip',
      kind: 'TICKET',
      pointsPrice: 50,
      cashPrice: 500,
      merchantId: shop,
    });
    const m = await h.member('Unpaid');
    await h.give(m, 50);
    const r = await h.ok(
      `mutation($i: RedeemInput!) { redeemReward(input: $i) { ${CASH} } }`,
      { i: { rewardId: reward, idempotencyKey: 'boat' } },
      h.tokens.member(m),
    );
    const cancelled = await h.ok(
      `mutation($id: ID!) { cancelRedemption(id: $id, reason: "Changed my mind") { ${CASH} } }`,
      { id: r.redeemReward.id },
      h.tokens.member(m),
    );
    expect(cancelled.cancelRedemption).toMatchObject({ cashState: 'REFUNDED', cashPaid: 0, cashRefunded: 0 });
  });
});
