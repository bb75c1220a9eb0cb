import { graphqlRequest, testConfig } from '@loyalty/testing';
import { useGraph } from '../support/graph';
import { Collector, settledSubscriptions, subscriptionsAtLeast, wsClient } from './support/realtime';

/**
 * The whole graph, real services only: a partner's purchase, a redemption and a referral reach
 * subscribers live, with fields resolved from the owning subgraphs (REQUIREMENTS T1, T3).
 */
describe('live notices from purchases, redemptions and referrals', () => {
  const clients: { dispose(): Promise<void> | void }[] = [];
  const { tokens, graph } = useGraph(testConfig(), undefined, async () => {
    for (const c of clients) await c.dispose();
  });
  let n = 0;

  const gql = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const res = await graphqlRequest(graph().url, query, variables, token);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  const connect = (token: string) => {
    const { client } = wsClient(graph().url.replace(/^http/, 'ws'), token);
    clients.push(client);
    return client;
  };
  /** Subscribes and waits until the gateway has registered it (events before that are not for it). */
  const subscribe = async <T>(token: string, query: string, variables: Record<string, unknown> = {}) => {
    const before = await settledSubscriptions({ gateway: graph().gateway! });
    const c = new Collector<T>(connect(token), query, variables);
    await subscriptionsAtLeast({ gateway: graph().gateway! }, before + 1);
    return c;
  };
  const register = async (displayName: string, referralCode?: string) =>
    (
      await gql('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', {
        i: { displayName, email: `notice-${(n += 1)}@example.com`, referralCode },
      })
    ).registerMember.id as string;
  const merchant = async (name: string) =>
    (
      await gql(
        'mutation($i: CreateMerchantInput!) { createMerchant(input: $i) { id } }',
        { i: { name, category: 'dining' } },
        tokens.admin(),
      )
    ).createMerchant.id as string;
  const purchase = (merchantId: string, memberId: string, amount: number) =>
    gql(
      'mutation($i: PurchaseInput!) { recordPurchase(input: $i) { awards { points } } }',
      { i: { merchantId, memberId, orderId: `o-${(n += 1)}`, amount } },
      tokens.partner(merchantId),
    );

  it("pushes a partner's purchase as a balance change with the member's and merchant's names", async () => {
    const shop = await merchant('Tea House');
    const id = await register('Li Lei');
    const sub = await subscribe<{ balanceChanged: Record<string, unknown> }>(
      tokens.member(id),
      'subscription { balanceChanged { delta balance member { displayName } entry { type merchant { name } } } }',
    );
    await purchase(shop, id, 3000);
    const [change] = await sub.waitFor(1);
    expect(change.balanceChanged).toEqual({
      delta: 30,
      balance: 30,
      member: { displayName: 'Li Lei' },
      entry: { type: 'EARN', merchant: { name: 'Tea House' } },
    });
  });

  it('pushes redemption status changes to the member, and to no one else', async () => {
    const shop = await merchant('Noodle Bar');
    const id = await register('Han Meimei');
    const stranger = await register('Stranger');
    await purchase(shop, id, 50_000); // 500 points
    const reward = (
      await gql(
        'mutation($i: CreateRewardInput!) { createReward(input: $i) { id } }',
        { i: { name: '25-yuan set meal', kind: 'GOODS', pointsPrice: 200, merchantId: shop } },
        tokens.partner(shop),
      )
    ).createReward.id;
    const query =
      'subscription($m: ID) { redemptionStatusChanged(memberId: $m) { from to reason redemption { status points reward { name } } } }';
    const mine = await subscribe<{ redemptionStatusChanged: Record<string, unknown> }>(
      tokens.member(id),
      query,
    );
    const theirs = new Collector(connect(tokens.member(stranger)), query, { m: id });
    expect((await theirs.waitForError())[0].extensions?.code).toBe('FORBIDDEN');
    await gql(
      'mutation($i: RedeemInput!) { redeemReward(input: $i) { status } }',
      { i: { rewardId: reward, idempotencyKey: 'meal' } },
      tokens.member(id),
    );
    const items = await mine.waitFor(2);
    expect(items.map((x) => [x.redemptionStatusChanged.from, x.redemptionStatusChanged.to])).toEqual([
      [null, 'PENDING'],
      ['PENDING', 'CONFIRMED'],
    ]);
    expect(items[1].redemptionStatusChanged).toMatchObject({
      redemption: { status: 'CONFIRMED', points: 200, reward: { name: '25-yuan set meal' } },
    });
  });

  it("pushes a referral reward to the inviter when the friend's first purchase qualifies", async () => {
    const shop = await merchant('Stationery');
    const inviter = await register('Inviter');
    const code = (await gql('{ me { referralCode } }', {}, tokens.member(inviter))).me.referralCode;
    const friend = await register('Friend', code);
    const sub = await subscribe<{ referralRewarded: Record<string, unknown> }>(
      tokens.member(inviter),
      'subscription { referralRewarded { inviterPoints inviteePoints referral { status invitee { id } } } }',
    );
    await purchase(shop, friend, 3000);
    const [rewarded] = await sub.waitFor(1);
    expect(rewarded.referralRewarded).toEqual({
      inviterPoints: 100,
      inviteePoints: 50,
      referral: { status: 'REWARDED', invitee: { id: friend } },
    });
  });
});
