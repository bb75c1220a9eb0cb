import { eventually, testConfig } from '@loyalty/testing';
import { ReferralHarness } from './support/harness';

const HISTORY = `{ me { balance history(first: 20) { edges { node { type points description } } } } }`;
const RECORD = `mutation($input: PurchaseInput!) { recordPurchase(input: $input) { purchase { id } } }`;
const REFUND = `mutation($input: RefundInput!) { refundPurchase(input: $input) { purchase { id } } }`;

/** The whole story with the real ledger and campaigns subgraphs, only through the gateway. */
describe('referrals end to end (members → campaigns → referrals → ledger)', () => {
  const h = new ReferralHarness(testConfig());
  let merchantId: string;

  beforeAll(async () => {
    await h.start();
    const res = await h.gql(
      'mutation { createMerchant(input: { name: "Tea", category: "dining" }) { id } }',
      {},
      h.tokens.admin(),
    );
    merchantId = res.data!.createMerchant.id;
  });
  afterAll(() => h.stop());

  const buy = async (memberId: string, orderId: string, amount: number) => {
    const res = await h.gql(
      RECORD,
      { input: { merchantId, orderId, memberId, amount } },
      h.tokens.partner(merchantId),
    );
    expect(res.errors).toBeUndefined();
    return res.data!.recordPurchase.purchase.id as string;
  };
  const referralEntries = async (memberId: string) => {
    const res = await h.gql(HISTORY, {}, h.tokens.member(memberId));
    expect(res.errors).toBeUndefined();
    const entries = res.data!.me.history.edges.map(
      (e: { node: { type: string; points: number; description: string } }) => e.node,
    );
    return {
      balance: res.data!.me.balance as number,
      entries: entries.filter((e: { description: string }) => /referral|friend/i.test(e.description)),
    };
  };

  it('B joins with A’s code; B’s first purchase rewards both in their histories; the second rewards nobody', async () => {
    const a = await h.register('Ann');
    const b = await h.invite(a, 'Bob');
    expect((await referralEntries(a)).entries).toEqual([]);

    await buy(b, 'order-1', 5000);
    const referral = await eventually(async () => {
      const r = await h.referralOf(b);
      return r?.status === 'REWARDED' ? r : null;
    });
    await h.settled(referral.id, 2);
    const ann = await referralEntries(a);
    expect(ann.entries).toEqual([
      { type: 'EARN', points: 100, description: expect.stringMatching(/referral/i) },
    ]);
    expect(ann.balance).toBe(100);
    const bob = await referralEntries(b);
    expect(bob.entries).toEqual([
      { type: 'EARN', points: 50, description: expect.stringMatching(/referral/i) },
    ]);

    // Purchase events the referrals consumer has taken, handled or skipped (a purchase it can no
    // longer change, like this second one, is skipped without a row).
    const taken = async () =>
      (await h.service.metrics.events.get()).values
        .filter((v) => v.labels.consumer === 'referrals.purchases' && v.labels.outcome !== 'failed')
        .reduce((sum, v) => sum + v.value, 0);
    const before = await taken();
    await buy(b, 'order-2', 8000);
    // Wait for the second purchase's event to be taken, then post whatever it owed (nothing) and
    // check.
    await eventually(async () => (await taken()) > before);
    await h.app.grants.drain();
    expect((await referralEntries(a)).entries).toHaveLength(1);
    expect((await referralEntries(b)).entries).toHaveLength(1);

    const mine = await h.gql(
      '{ me { referrals { status invitee { displayName } reward { inviterPoints credited } } } }',
      {},
      h.tokens.member(a),
    );
    expect(mine.data!.me.referrals).toEqual([
      { status: 'REWARDED', invitee: { displayName: 'Bob' }, reward: { inviterPoints: 100, credited: true } },
    ]);
  });

  it('a refunded first purchase takes both rewards back', async () => {
    const a = await h.register('Cat');
    const b = await h.invite(a, 'Dan');
    await buy(b, 'order-3', 5000);
    const referral = await eventually(async () => {
      const r = await h.referralOf(b);
      return r?.status === 'REWARDED' ? r : null;
    });
    await h.settled(referral.id, 2);
    const refund = await h.gql(
      REFUND,
      { input: { merchantId, orderId: 'order-3', refundId: 'refund-3' } },
      h.tokens.partner(merchantId),
    );
    expect(refund.errors).toBeUndefined();
    await eventually(async () => (await h.referralOf(b))?.status === 'REJECTED');
    await h.settled(referral.id, 4);
    const cat = await referralEntries(a);
    expect(cat.balance).toBe(0);
    expect(cat.entries.map((e: { type: string; points: number }) => [e.type, e.points])).toEqual([
      ['REVERSE', -100],
      ['EARN', 100],
    ]);
  });
});
