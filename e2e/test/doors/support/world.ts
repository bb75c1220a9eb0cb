import { randomUUID } from 'node:crypto';
import type { GatewayRequest } from '../../support/graph';
import type { tokensFor } from '@loyalty/testing';

/** Two merchants, two members and what they own: the objects every door test asks about. */
export interface World {
  merchantA: string;
  merchantB: string;
  memberA: string;
  memberB: string;
  /** Offered to everyone, by merchant A. */
  publicReward: string;
  /** Personal: offered only to member B, by merchant A. */
  personalReward: string;
  /** Member A's purchase at merchant A. */
  purchaseA: string;
  orderA: string;
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
  const publicReward = await reward({ name: 'Tea', kind: 'GOODS', pointsPrice: 10, merchantId: merchantA });
  const personalReward = await reward({
    name: 'For Bob only',
    kind: 'GOODS',
    pointsPrice: 10,
    merchantId: merchantA,
    offeredTo: [memberB],
  });
  const orderA = `door-${randomUUID()}`;
  const purchaseA = (
    await ok(
      'mutation($i: PurchaseInput!) { recordPurchase(input: $i) { purchase { id } } }',
      { i: { merchantId: merchantA, orderId: orderA, memberId: memberA, amount: 5000 } },
      tokens.partner(merchantA),
    )
  ).recordPurchase.purchase.id as string;
  return { merchantA, merchantB, memberA, memberB, publicReward, personalReward, purchaseA, orderA };
}
