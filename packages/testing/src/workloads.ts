/**
 * Workloads that a benchmark measures and an integration test counts, written once so the test
 * asserts the costs of exactly what the benchmark times.
 */

/** The member dashboard (`pnpm bench gateway`, e2e/test/dashboard.int.test.ts). */
export const DASHBOARD_QUERY = `query Dashboard($id: ID!) {
  member(id: $id) {
    id displayName tier
    balances { kind available }
    history(first: 10) { edges { node { id type points description createdAt merchant { id name } } } }
    redemptions(first: 5) { edges { node { id status points reward { id name } } } }
    referrals { id status }
  }
  rewards(first: 10) { edges { node { id name pointsPrice } } }
}`;

/** Runs one admin operation and returns its `data` (callers check errors their own way). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read by path
export type AdminCall = (query: string, variables?: Record<string, unknown>) => Promise<any>;

/**
 * A typical purchase's programme (`pnpm bench purchase`, the statements-per-purchase test): a
 * grocery merchant with its own earn and green rates and a budgeted double-points campaign in
 * force for its category. Returns the merchant's id.
 */
export async function seedGroceryProgramme(call: AdminCall, name: string, budget: number): Promise<string> {
  const merchant = (
    await call('mutation($i: CreateMerchantInput!) { createMerchant(input: $i) { id } }', {
      i: { name, category: 'grocery' },
    })
  ).createMerchant.id as string;
  await call('mutation($i: SetEarnRateInput!) { setMerchantEarnRate(input: $i) { merchantId } }', {
    i: { merchantId: merchant, points: 2, per: 100, greenPoints: 1, greenPer: 100 },
  });
  await call('mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }', {
    i: {
      name: 'Grocery double points',
      startsAt: new Date(Date.now() - 86_400_000).toISOString(),
      merchantCategory: 'grocery',
      multiplier: 2,
      budget,
    },
  });
  return merchant;
}

/**
 * A typical order at the merchant of {@link seedGroceryProgramme} (`pnpm bench purchase`, the
 * statements-per-purchase test): 100 yuan with one green item, which there earns three awards —
 * base REGULAR, GREEN, and the campaign's bonus. The `PurchaseInput` of `recordPurchase`.
 */
export function typicalOrder(merchantId: string, orderId: string, memberId: string) {
  return {
    merchantId,
    orderId,
    memberId,
    amount: 10_000,
    items: [
      { sku: 'rice', amount: 7_000 },
      { sku: 'organic-veg', category: 'organic-food', amount: 3_000, green: true },
    ],
  };
}
