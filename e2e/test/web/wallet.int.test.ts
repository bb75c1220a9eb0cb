import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { screenshot, seriousViolations, useBrowser } from '../support/browser';
import { useGraph } from '../support/graph';

// A real browser under a shared CPU: page loads take seconds, not milliseconds.
jest.setTimeout(120_000);

/**
 * The member's wallet on a phone and the partner's till, in Chromium, as the issue tells it: the
 * member signs in with a code, sees a purchase's points arrive live, redeems at the till with the
 * code the wallet shows, and is told about the compensation when the operator delists the reward.
 */
describe('member wallet', () => {
  const { gql, tokens, graph } = useGraph();
  const origin = () => new URL(graph().url).origin;
  const browser = useBrowser(origin);
  const email = `${randomUUID()}@example.com`;
  let merchantId: string;
  let memberId: string;
  let rewardId: string;

  beforeAll(async () => {
    const admin = tokens.admin();
    merchantId = (
      await gql(
        'mutation($i: CreateMerchantInput!) { createMerchant(input: $i) { id } }',
        { i: { name: 'Green Grocer', category: 'grocery' } },
        admin,
      )
    ).data!.createMerchant.id;
    memberId = (
      await gql(
        'mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }',
        { i: { displayName: 'Han Meimei', email } },
        admin,
      )
    ).data!.registerMember.id;
    rewardId = (
      await gql(
        'mutation($i: CreateRewardInput!) { createReward(input: $i) { id } }',
        { i: { name: 'Reusable bag', kind: 'GOODS', merchantId, pointsPrice: 20, stock: 10 } },
        admin,
      )
    ).data!.createReward.id;
  });

  async function signIn(page: Page): Promise<void> {
    await page.goto(`${origin()}/wallet/`);
    await page.getByLabel('Phone or email').fill(email);
    await page.getByRole('button', { name: 'Send me a code' }).click();
    const devCode = (await page.getByTestId('dev-code').textContent()) ?? '';
    await page.getByLabel('The 6-digit code we sent you').fill(devCode.replace(/\D/g, ''));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('balance-REGULAR').waitFor();
  }

  it('signs in, sees points arrive live, redeems at the till and hears of the compensation', async () => {
    const wallet = await browser.open({ phone: true });
    await signIn(wallet);
    expect(await wallet.getByTestId('balance-REGULAR').locator('strong').textContent()).toBe('0');
    expect(await seriousViolations(wallet)).toEqual([]);

    // A purchase at the till: the points arrive in the open wallet without a reload.
    const purchase = await gql(
      'mutation($i: PurchaseInput!) { recordPurchase(input: $i) { awards { points } } }',
      { i: { merchantId, memberId, orderId: `w-${randomUUID()}`, amount: 8_800 } },
      tokens.partner(merchantId),
    );
    const points = purchase.data!.recordPurchase.awards[0].points as number;
    expect(points).toBeGreaterThanOrEqual(20);
    await wallet.getByRole('status').getByText(`+${points} Points`).waitFor();
    await wallet.getByTestId('balance-REGULAR').getByText(String(points)).waitFor();
    // One change, one toast (a side effect in urql's handler once showed it twice).
    expect(await wallet.getByRole('status').getByText(`+${points} Points`).count()).toBe(1);
    await wallet.getByTestId('reward').getByText('Reusable bag').waitFor();

    // The one-time code for the till, shown as a QR code and in digits.
    await wallet.getByRole('button', { name: 'New code' }).click();
    const code = ((await wallet.getByTestId('member-code').textContent()) ?? '').trim();
    expect(code).toMatch(/^\d{6,}$/);
    expect(await wallet.getByRole('img', { name: code }).count()).toBe(1);
    await screenshot(wallet, 'wallet-phone');

    // The cashier redeems with that code in the console.
    const till = await browser.open();
    await till.goto(`${origin()}/console/`);
    await till.getByLabel(/API key or operator token/).fill(tokens.partner(merchantId));
    await till.getByRole('button', { name: 'Sign in' }).click();
    const redeem = till.getByRole('region', { name: 'Redeem for member' });
    await redeem.getByLabel('Reward id').fill(rewardId);
    await redeem.getByLabel('Member id').fill(memberId);
    await redeem.getByLabel("Member's code").fill(code);
    await redeem.getByRole('button', { name: 'Redeem for member' }).click();
    await till.getByTestId('redeemed').waitFor();
    await wallet
      .getByTestId('balance-REGULAR')
      .getByText(String(points - 20))
      .waitFor();

    // The operator withdraws the reward: the open redemption is cancelled, the points come back
    // with a compensation, and the member is told at once.
    await gql(
      'mutation($id: ID!) { delistReward(id: $id, reason: "Supplier stopped") { id } }',
      { id: rewardId },
      tokens.admin(),
    );
    await wallet.locator('[data-testid="notice"][data-kind="COMPENSATION"]').waitFor({ timeout: 60_000 });
    expect(browser.foreignRequests()).toEqual([]);
  });

  it('shows the wallet in Chinese for a zh-CN browser', async () => {
    const wallet = await browser.open({ phone: true, locale: 'zh-CN' });
    await wallet.goto(`${origin()}/wallet/`);
    await wallet.getByRole('button', { name: '发送验证码' }).waitFor();
    expect(await wallet.locator('html').getAttribute('lang')).toBe('zh-CN');
  });

  it('lets the operator download the audit trail as CSV', async () => {
    const office = await browser.open();
    await office.goto(`${origin()}/console/`);
    await office.getByLabel(/API key or operator token/).fill(tokens.admin());
    await office.getByRole('button', { name: 'Sign in' }).click();
    await office.getByRole('button', { name: 'Office' }).click();
    const audit = office.getByRole('region', { name: 'Audit trail' });
    await audit.getByLabel('Member id').fill(memberId);
    const [download] = await Promise.all([
      office.waitForEvent('download'),
      audit.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(path, 'utf8').split(/\r?\n/);
    expect(csv[0]).toMatch(/memberId/);
    expect(csv.filter((line) => line.includes(memberId)).length).toBeGreaterThanOrEqual(1);
    expect(await seriousViolations(office)).toEqual([]);
    await screenshot(office, 'console-office-audit');
  });
});
