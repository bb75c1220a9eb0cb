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
  /** Merchant A's partner API key (id), and webhook endpoints: one with a delivery, one to delete. */
  apiKeyA: string;
  endpointA: string;
  spareEndpointA: string;
  deliveryA: string;
  /** A notice of member A (the redemption's status change). */
  noticeA: string;
  /** A sign-in challenge for member A's email. */
  challengeA: string;
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
  const emails = new Map<string, string>();
  const member = async (displayName: string) => {
    const email = `${randomUUID()}@example.com`;
    const id = (
      await ok('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', {
        i: { displayName, email, phone: `138${String(Math.random()).slice(2, 10)}` },
      })
    ).registerMember.id as string;
    emails.set(id, email);
    return id;
  };
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
  // Merchant A's integration, set up before its purchase so that the purchase is delivered.
  const apiKeyA = (
    await ok('mutation($m: ID!) { createPartnerApiKey(merchantId: $m, name: "Door till") { key { id } } }', {
      m: merchantA,
    })
  ).createPartnerApiKey.key.id as string;
  const endpoint = async () =>
    (
      await ok(
        'mutation($m: ID!) { createWebhookEndpoint(merchantId: $m, url: "http://127.0.0.1:9/hook", events: ["purchase.recorded"]) { endpoint { id } } }',
        { m: merchantA },
      )
    ).createWebhookEndpoint.endpoint.id as string;
  const endpointA = await endpoint();
  const spareEndpointA = await endpoint();
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
  const deliveryA = await eventually(async () => {
    const res = await gql(
      'query($e: ID!) { webhookDeliveries(endpointId: $e) { id } }',
      { e: endpointA },
      tokens.admin(),
    );
    return (res.data?.webhookDeliveries?.[0]?.id as string | undefined) ?? null;
  });
  const noticeA = await eventually(async () => {
    const res = await gql(
      'query($id: ID!) { member(id: $id) { notices { edges { node { id } } } } }',
      { id: memberA },
      tokens.admin(),
    );
    return (res.data?.member?.notices?.edges?.[0]?.node?.id as string | undefined) ?? null;
  });
  const challengeA = (
    await ok('mutation($e: String) { requestSignInCode(email: $e) { id } }', { e: emails.get(memberA) })
  ).requestSignInCode.id as string;
  return {
    apiKeyA,
    endpointA,
    spareEndpointA,
    deliveryA,
    noticeA,
    challengeA,
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
