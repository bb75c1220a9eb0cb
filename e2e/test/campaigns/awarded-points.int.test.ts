import { randomUUID } from 'node:crypto';
import { eventually } from '@loyalty/testing';
import { useGraph } from '../support/graph';

/** A campaign's running total of awards outgrows 32 bits without stopping its purchases. */
describe('campaign award totals past 2^31', () => {
  const { gql, tokens, graph } = useGraph();

  it('keeps awarding (64-bit total) and shows the total saturated at the largest Int', async () => {
    const admin = tokens.admin();
    const merchantId = (
      await gql(
        'mutation($i: CreateMerchantInput!) { createMerchant(input: $i) { id } }',
        { i: { name: 'Nationwide', category: 'grocery' } },
        admin,
      )
    ).data!.createMerchant.id as string;
    const memberId = (
      await gql(
        'mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }',
        { i: { displayName: 'Wang Fang', email: `${randomUUID()}@example.com` } },
        admin,
      )
    ).data!.registerMember.id as string;
    const campaignId = (
      await gql(
        'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }',
        {
          i: {
            name: 'Everyone wins',
            startsAt: new Date(Date.now() - 60_000).toISOString(),
            bonusPoints: 50,
            merchantId,
          },
        },
        admin,
      )
    ).data!.createCampaign.id as string;
    // Years of a national campaign: its total is 20 points short of 2^31.
    const ds = graph().services.campaigns!.runtime.db.dataSource;
    await ds.query('UPDATE `campaigns` SET `awardedPoints` = ? WHERE `id` = ?', [2 ** 31 - 21, campaignId]);

    const purchase = await gql(
      'mutation($i: PurchaseInput!) { recordPurchase(input: $i) { awards { points campaign { id } } } }',
      { i: { merchantId, memberId, orderId: `o-${randomUUID()}`, amount: 1_000 } },
      tokens.partner(merchantId),
    );
    expect(purchase.errors).toBeUndefined();
    const bonus = purchase.data!.recordPurchase.awards.find(
      (a: { campaign: { id: string } | null }) => a.campaign?.id === campaignId,
    );
    expect(bonus.points).toBe(50);
    const [row] = (await ds.query('SELECT `awardedPoints` FROM `campaigns` WHERE `id` = ?', [
      campaignId,
    ])) as {
      awardedPoints: unknown;
    }[];
    expect(Number(row.awardedPoints)).toBe(2 ** 31 - 21 + 50);
    const shown = await gql(
      'query($id: ID!) { campaign(id: $id) { awardedPoints } }',
      { id: campaignId },
      admin,
    );
    expect(shown.data!.campaign.awardedPoints).toBe(2 ** 31 - 1);
    // The member's points were posted, not left pending.
    await eventually(async () => {
      const { data } = await gql('query($id: ID!) { member(id: $id) { balance } }', { id: memberId }, admin);
      return data?.member.balance >= 50;
    });
  });
});
