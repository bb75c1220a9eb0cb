import type { MembersApp } from '@loyalty/members';
import { CatalogHarness } from '../catalog/support/harness';

const ISSUE = 'mutation { issueMemberCode { code expiresAt } }';
const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

/** Consent at the till: a partner redeems for a member only with the member's one-time code. */
describe('member codes: consent at the till', () => {
  const h = new CatalogHarness();
  let shop: string;
  beforeAll(async () => {
    await h.start();
    shop = await h.merchant('Tea House');
  });
  afterAll(() => h.stop());
  const clock = () => (h.graph.services.members!.app as MembersApp).clock;
  afterEach(() => clock().reset());

  const issue = async (memberId: string): Promise<string> =>
    (await h.ok(ISSUE, {}, h.tokens.member(memberId))).issueMemberCode.code;

  /** Everything a refused redemption must not have written, anywhere. */
  const footprint = async (memberId: string) => ({
    redemptions: await h.count('redemptions'),
    transitions: await h.count('redemption_transitions'),
    events: await h.count('outbox_events'),
    holds: await h.ledgerRows('ledger_holds'),
    entries: await h.ledgerRows('ledger_entries'),
    balance: await h.balance(memberId),
  });

  let keys = 0;
  const partnerRedeems = (rewardId: string, memberId: string, memberCode?: string) =>
    h.redeem(
      { rewardId, memberId, memberCode, idempotencyKey: `till-${(keys += 1)}` },
      h.tokens.partner(shop),
    );

  it('issues a 2-minute code to the member themself only', async () => {
    const m = await h.member('Holder');
    const before = Date.now();
    const { issueMemberCode } = await h.ok(ISSUE, {}, h.tokens.member(m));
    expect(issueMemberCode.code).toMatch(/^\d{12}$/);
    const ttl = new Date(issueMemberCode.expiresAt).getTime() - before;
    expect(ttl).toBeGreaterThan(115_000);
    expect(ttl).toBeLessThanOrEqual(121_000);
    expect(codeOf(await h.gql(ISSUE, {}, h.tokens.partner(shop)))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(ISSUE, {}, h.tokens.admin()))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(ISSUE, {}))).toBe('UNAUTHENTICATED');
  });

  it("redeems with the member's code once; missing, reused, another member's or expired codes are FORBIDDEN and write nothing", async () => {
    const r = await h.reward({ name: 'Green tea', kind: 'GOODS', pointsPrice: 10, merchantId: shop });
    const m = await h.member('Consenting');
    const other = await h.member('Other');
    await h.give(m, 100);
    const code = await issue(m);
    const ok = await partnerRedeems(r, m, code);
    expect(ok.data!.redeemReward).toMatchObject({ status: 'CONFIRMED', member: { id: m } });

    const before = await footprint(m);
    expect(before.balance).toBe(90);
    const refusals = [
      await partnerRedeems(r, m), // no code
      await partnerRedeems(r, m, '   '), // blank
      await partnerRedeems(r, m, code), // used already
      await partnerRedeems(r, m, await issue(other)), // someone else's
      await partnerRedeems(r, m, '123456789012'), // made up
    ];
    const stale = await issue(m);
    clock().advance(2 * 60_000 + 1);
    refusals.push(await partnerRedeems(r, m, stale)); // expired
    expect(refusals.map(codeOf)).toEqual(Array(6).fill('FORBIDDEN'));
    expect(await footprint(m)).toEqual(before);
  });

  it('a retry of the same redemption (same key, same code) replays it instead of refusing', async () => {
    const r = await h.reward({ name: 'Oolong', kind: 'GOODS', pointsPrice: 10, merchantId: shop });
    const m = await h.member('Retrying');
    await h.give(m, 50);
    const code = await issue(m);
    const input = { rewardId: r, memberId: m, memberCode: code, idempotencyKey: 'till-retry' };
    const first = await h.redeem(input, h.tokens.partner(shop));
    const again = await h.redeem(input, h.tokens.partner(shop));
    expect(again.data!.redeemReward.id).toBe(first.data!.redeemReward.id);
    expect(await h.balance(m)).toBe(40);
  });

  it('a redemption refused after all (out of stock, not enough points) gives the code back', async () => {
    const soldOut = await h.reward({
      name: 'Rare leaf',
      kind: 'GOODS',
      pointsPrice: 10,
      stock: 0,
      merchantId: shop,
    });
    const dear = await h.reward({ name: 'Tea set', kind: 'GOODS', pointsPrice: 500, merchantId: shop });
    const r = await h.reward({ name: 'Black tea', kind: 'GOODS', pointsPrice: 10, merchantId: shop });
    const m = await h.member('Unlucky');
    await h.give(m, 20);
    const code = await issue(m);
    expect(codeOf(await partnerRedeems(soldOut, m, code))).toBe('OUT_OF_STOCK');
    expect(codeOf(await partnerRedeems(dear, m, code))).toBe('INSUFFICIENT_POINTS');
    const ok = await partnerRedeems(r, m, code);
    expect(ok.data!.redeemReward.status).toBe('CONFIRMED');
    expect(codeOf(await partnerRedeems(r, m, code))).toBe('FORBIDDEN');
    expect(await h.balance(m)).toBe(10);
  });

  it('a code is consumed once even under concurrent redemptions', async () => {
    const r = await h.reward({ name: 'Pu-erh', kind: 'GOODS', pointsPrice: 10, merchantId: shop });
    const m = await h.member('Raced');
    await h.give(m, 100);
    const code = await issue(m);
    const results = await Promise.all(Array.from({ length: 6 }, () => partnerRedeems(r, m, code)));
    expect(results.filter((x) => !x.errors)).toHaveLength(1);
    expect(results.filter((x) => codeOf(x) === 'FORBIDDEN')).toHaveLength(5);
    expect(await h.balance(m)).toBe(90);
  });

  it('the operator redeems without a code, and the trail records who did', async () => {
    const r = await h.reward({ name: 'Jasmine', kind: 'GOODS', pointsPrice: 10, merchantId: shop });
    const m = await h.member('Operated');
    await h.give(m, 10);
    const res = await h.redeem({ rewardId: r, memberId: m, idempotencyKey: 'op-1' }, h.tokens.admin());
    expect(res.data!.redeemReward.status).toBe('CONFIRMED');
    const trail = await h.ok(
      'query($id: ID!) { redemption(id: $id) { transitions { to actor } } }',
      { id: res.data!.redeemReward.id },
      h.tokens.member(m),
    );
    expect(trail.redemption.transitions).toEqual([
      { to: 'PENDING', actor: 'admin:admin' },
      { to: 'CONFIRMED', actor: 'admin:admin' },
    ]);
  });
});
