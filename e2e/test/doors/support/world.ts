import { randomUUID } from 'node:crypto';
import type { GatewayRequest } from '../../support/graph';
import { eventually, type tokensFor } from '@loyalty/testing';

/** Two merchants, two members and what they own: the objects every door test asks about. */
export interface World {
  merchantA: string;
  merchantB: string;
  memberA: string;
  memberB: string;
  /** Offered to everyone, by merchant A. */
  publicReward: string;
  /** Personal: offered only to member A, by merchant A. */
  personalReward: string;
  /** Merchant A's, for tests that delist. */
  spareReward: string;
  /** Member A's purchase at merchant A. */
  purchaseA: string;
  orderA: string;
  /** Merchant A's campaigns: one to update, one to end. */
  campaign: string;
  campaignToEnd: string;
  /** Member A's redemption of the public reward. */
  redemptionA: string;
  /** Member A invited member C. */
  referralA: string;
  /** Member B's referral code. */
  codeB: string;
}

/** Builds the {@link World} through the gateway, as the operator and partners would. */
export async function buildWorld(gql: GatewayRequest, tokens: ReturnType<typeof tokensFor>): Promise<World> {
  const ok = async (query: string, variables: Record<string, unknown>, token = tokens.admin()) => {
    const res = await gql(query, variables, token);
    if (res.errors?.length) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  const merchant = async (name: string) =>
    (
      await ok('mutation($i: CreateMerchantInput!) { createMerchant(input: $i) { id } }', {
        i: { name, category: 'dining' },
      })
    ).createMerchant.id as string;
  const member = async (displayName: string) =>
    (
      await ok('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', {
        i: {
          displayName,
          email: `${randomUUID()}@example.com`,
          phone: `138${String(Math.random()).slice(2, 10)}`,
        },
      })
    ).registerMember.id as string;
  const reward = async (input: Record<string, unknown>) =>
    (await ok('mutation($i: CreateRewardInput!) { createReward(input: $i) { id } }', { i: input }))
      .createReward.id as string;
  const merchantA = await merchant('Door A');
  const merchantB = await merchant('Door B');
  const memberA = await member('Alice Door');
  const memberB = await member('Bob Door');
  const publicReward = await reward({
    name: 'Tea',
    kind: 'GOODS',
    pointsPrice: 10,
    merchantId: merchantA,
    stock: 100,
  });
  const personalReward = await reward({
    name: 'For Alice only',
    kind: 'GOODS',
    pointsPrice: 10,
    merchantId: merchantA,
    offeredTo: [memberA],
  });
  const spareReward = await reward({ name: 'Spare', kind: 'GOODS', pointsPrice: 10, merchantId: merchantA });
  const orderA = `door-${randomUUID()}`;
  const purchaseA = (
    await ok(
      'mutation($i: PurchaseInput!) { recordPurchase(input: $i) { purchase { id } } }',
      { i: { merchantId: merchantA, orderId: orderA, memberId: memberA, amount: 5000 } },
      tokens.partner(merchantA),
    )
  ).recordPurchase.purchase.id as string;
  const campaignOf = async (name: string) =>
    (
      await ok('mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }', {
        i: { name, startsAt: new Date().toISOString(), bonusPoints: 1, merchantId: merchantA },
      })
    ).createCampaign.id as string;
  const campaign = await campaignOf('Door campaign');
  const campaignToEnd = await campaignOf('Door campaign to end');
  await ok('mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { id } }', {
    i: { memberId: memberA, points: 1000, reason: 'Door test', idempotencyKey: `door-${randomUUID()}` },
  });
  const redemptionA = (
    await ok(
      'mutation($i: RedeemInput!) { redeemReward(input: $i) { id } }',
      { i: { rewardId: publicReward, idempotencyKey: `door-${randomUUID()}` } },
      tokens.member(memberA),
    )
  ).redeemReward.id as string;
  const codeOf = async (id: string) =>
    (await ok('query($id: ID!) { member(id: $id) { referralCode } }', { id })).member.referralCode as string;
  const memberC = (
    await ok('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', {
      i: {
        displayName: 'Carol Door',
        email: `${randomUUID()}@example.com`,
        referralCode: await codeOf(memberA),
      },
    })
  ).registerMember.id as string;
  // The referral is recorded when the registration event reaches the referrals service.
  const referralA = await eventually(async () => {
    const res = await gql(
      'query($id: ID!) { member(id: $id) { referredBy { id } } }',
      { id: memberC },
      tokens.admin(),
    );
    return (res.data?.member?.referredBy?.id as string | undefined) ?? null;
  });
  return {
    merchantA,
    merchantB,
    memberA,
    memberB,
    publicReward,
    personalReward,
    spareReward,
    purchaseA,
    orderA,
    campaign,
    campaignToEnd,
    redemptionA,
    referralA,
    codeB: await codeOf(memberB),
  };
}
