import type { Page } from 'playwright-core';
import { screenshot, seriousViolations, useBrowser } from '../support/browser';
import { useGraph } from '../support/graph';

// A real browser under a shared CPU: page loads take seconds, not milliseconds.
jest.setTimeout(90_000);

/** The console in Chromium: a partner at the till, the operator in the office. */
describe('console', () => {
  const { gql, tokens, graph } = useGraph();
  const origin = () => new URL(graph().url).origin;
  const browser = useBrowser(origin);
  let merchantId: string;
  let memberId: string;

  beforeAll(async () => {
    const admin = await tokens.admin();
    const merchant = await gql(
      `mutation($i: CreateMerchantInput!) { createMerchant(input: $i) { id } }`,
      { i: { name: 'Green Grocer', category: 'grocery' } },
      admin,
    );
    merchantId = merchant.data!.createMerchant.id;
    const member = await gql(
      `mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }`,
      { i: { displayName: 'Li Lei', phone: '+8613800138000' } },
      admin,
    );
    memberId = member.data!.registerMember.id;
  });

  async function signIn(token: string): Promise<Page> {
    const page = await browser.open();
    await page.goto(`${origin()}/console/`);
    await page.getByLabel(/API key or operator token/).fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return page;
  }

  it('lets a partner record a purchase and refund it at the till', async () => {
    const page = await signIn(await tokens.partner(merchantId));
    const purchase = page.getByRole('region', { name: 'Record purchase' });
    await purchase.getByLabel('Merchant id').fill(merchantId);
    await purchase.getByLabel('Member id').fill(memberId);
    await purchase.getByLabel('Order id').fill('till-1');
    await purchase.getByLabel('Amount (yuan)').fill('88');
    await purchase.getByRole('button', { name: 'Record purchase' }).click();
    await page
      .getByTestId('awards')
      .getByText(/\+\d+ Points/)
      .waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console-till');

    const refund = page.getByRole('region', { name: 'Refund' });
    await refund.getByLabel('Merchant id').fill(merchantId);
    await refund.getByLabel('Order id').fill('till-1');
    await refund.getByLabel('Refund id').fill('refund-1');
    await refund.getByRole('button', { name: 'Refund' }).click();
    await page
      .getByTestId('reversals')
      .getByText(/-\d+ Points/)
      .waitFor();

    // What the till showed is what the ledger holds: the purchase's points came and went.
    const after = await gql(
      `query($id: ID!) { member(id: $id) { balance history { edges { node { type points } } } } }`,
      { id: memberId },
      await tokens.admin(),
    );
    expect(after.data!.member.balance).toBe(0);
    expect(after.data!.member.history.edges.map((e: { node: { type: string } }) => e.node.type)).toEqual([
      'REVERSE',
      'EARN',
    ]);
  });

  it('shows a refused operation in words with its code', async () => {
    const page = await signIn(await tokens.partner(merchantId));
    const refund = page.getByRole('region', { name: 'Refund' });
    await refund.getByLabel('Merchant id').fill(merchantId);
    await refund.getByLabel('Order id').fill('no-such-order');
    await refund.getByLabel('Refund id').fill('refund-x');
    await refund.getByRole('button', { name: 'Refund' }).click();
    const alert = refund.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/We could not find that\. \(NOT_FOUND\)/);
  });

  it('lets the operator create a campaign and preview what a purchase earns', async () => {
    const page = await signIn(await tokens.admin());
    await page.getByRole('button', { name: 'Office' }).click();
    const campaigns = page.getByRole('region', { name: 'Campaigns' });
    await campaigns.getByLabel('Merchant id').fill(merchantId);
    await campaigns.getByLabel('Preview for member (id)').fill(memberId);
    await page.getByTestId('preview').waitFor();
    await campaigns.getByLabel('Name').fill('Double points week');
    await campaigns.getByLabel('Starts').fill('2026-01-01T00:00');
    await campaigns.getByLabel('Multiplier').fill('2');
    await campaigns.getByRole('button', { name: 'Create campaign' }).click();
    await campaigns.getByTestId('campaign').getByText('Double points week').waitFor();
    await page
      .getByTestId('preview')
      .getByText(/Double points week/)
      .waitFor();
    // The catalog: a new reward, then a time-limited price for it.
    const rewards = page.getByRole('region', { name: 'Rewards and prices' });
    await rewards.getByLabel('Name').fill('Bamboo cup');
    await rewards.getByLabel('Merchant id').fill(merchantId);
    await rewards.getByLabel('Price in points').last().fill('120');
    await rewards.getByRole('button', { name: 'Create reward' }).click();
    await rewards.getByRole('option', { name: /Bamboo cup · 120 pts/ }).waitFor({ state: 'attached' });
    await rewards.getByLabel('Reward id').selectOption({ label: 'Bamboo cup · 120 pts' });
    await rewards.getByLabel('Price label').fill('Launch week');
    await rewards.getByLabel('Price in points').first().fill('90');
    await rewards.getByRole('button', { name: 'Add a time-limited price' }).click();
    await rewards.getByRole('option', { name: /Bamboo cup · 90 pts/ }).waitFor({ state: 'attached' });
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console-office');
  });
});
