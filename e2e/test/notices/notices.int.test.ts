import { Topics, type EventEnvelope, type Topic } from '@loyalty/platform';
import type { RunningService } from '@loyalty/platform';
import type { CampaignsApp } from '@loyalty/campaigns';
import { eventually, testConfig } from '@loyalty/testing';
import { useGraph } from '../support/graph';
import { noticeHelpers } from './support';

/**
 * The notice inbox (T5) through the gateway, with the real services producing every cause:
 * each kind once per cause even when its event arrives twice, worded in en or zh-CN by
 * Accept-Language with merchant names and the programme's time zone, and private to its member.
 */
describe('notices', () => {
  const seen: EventEnvelope[] = [];
  const { graph } = useGraph(testConfig(), async (g) => {
    for (const topic of [
      Topics.redemptionStatusChanged,
      Topics.referralRewarded,
      Topics.redemptionCompensated,
      Topics.programmeValidityChanged,
      Topics.memberRecallOffered,
    ] as Topic[])
      await g.transport.listen(topic, (e) => {
        seen.push(e);
      });
  });
  const h = noticeHelpers(graph);
  const eventOf = (
    topic: Topic,
    memberId: string,
    match: (p: Record<string, unknown>) => boolean = () => true,
  ) =>
    eventually(async () =>
      seen.find((e) => {
        const p = e.payload as unknown as Record<string, unknown>;
        return e.topic === topic && (p.memberId === memberId || p.inviterId === memberId) && match(p);
      }),
    );
  const redeem = (memberId: string, rewardId: string) =>
    h.ok(
      'mutation($i: RedeemInput!) { redeemReward(input: $i) { id status } }',
      { i: { rewardId, memberId, idempotencyKey: `r-${h.next()}` } },
      h.tokens().admin(),
    );

  it('tells a member about a redemption status change once, naming the merchant, in en or zh-CN', async () => {
    const shop = await h.merchant('Tea House');
    const id = await h.register('Li Lei');
    await h.purchase(shop, id, 50_000);
    const redemption = (await redeem(id, await h.reward(shop, 200))).redeemReward;
    expect(redemption.status).toBe('CONFIRMED');

    const [en] = await h.noticesOf(id, 'REDEMPTION_STATUS');
    expect(en).toMatchObject({ title: 'Your redemption is confirmed', readAt: null });
    expect(en.body).toBe('Your redemption at Tea House is confirmed.');
    expect(new Date(en.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const [zh] = await h.noticesOf(id, 'REDEMPTION_STATUS', 1, 'zh-CN,zh;q=0.9,en;q=0.8');
    expect(zh).toMatchObject({ id: en.id, title: '您的兑换已确认', body: '您在Tea House的积分兑换已确认。' });
    // English is the default, also for languages the programme does not speak.
    expect((await h.notices(id, 'fr-FR')).map((x) => x.title)).toEqual([en.title]);

    await h.deliverTwice(await eventOf(Topics.redemptionStatusChanged, id, (p) => p.to === 'CONFIRMED'));
    expect(await h.notices(id)).toHaveLength(1);
  });

  it('tells the inviter and the friend about their referral rewards once', async () => {
    const shop = await h.merchant('Stationery');
    const inviter = await h.register('Inviter');
    const code = (await h.ok('{ me { referralCode } }', {}, h.tokens().member(inviter))).me.referralCode;
    const friend = await h.register('Friend', code);
    await h.purchase(shop, friend, 3000);
    const [mine] = await h.noticesOf(inviter, 'REFERRAL_REWARD');
    expect(mine.title).toBe('You earned 100 points for inviting a friend');
    const [theirs] = await h.noticesOf(friend, 'REFERRAL_REWARD', 1, 'zh-CN');
    expect(theirs.title).toBe('新人奖励：50积分');

    await h.deliverTwice(await eventOf(Topics.referralRewarded, inviter));
    expect(await h.notices(inviter)).toHaveLength(1);
    expect((await h.notices(friend)).filter((x) => x.kind === 'REFERRAL_REWARD')).toHaveLength(1);
  });

  it('tells a member about the compensation for a delisted reward once, with the points given back', async () => {
    const shop = await h.merchant('Noodle Bar');
    const id = await h.register('Han Meimei');
    await h.purchase(shop, id, 50_000);
    const reward = await h.reward(shop, 200);
    await redeem(id, reward);
    await h.ok(
      'mutation($id: ID!) { delistReward(id: $id, reason: "Supplier closed") { id } }',
      { id: reward },
      h.tokens().admin(),
    );
    const [compensation] = await h.noticesOf(id, 'COMPENSATION');
    expect(compensation.title).toBe('Compensation: 20 points');
    expect(compensation.body).toContain('at Noodle Bar');
    expect(compensation.body).toContain('200 points were returned and 20 points added as compensation');
    const cancelled = await eventually(async () =>
      (await h.notices(id)).find((x) => x.kind === 'REDEMPTION_STATUS' && x.title.includes('cancelled')),
    );
    expect(cancelled.body).toContain('Reward delisted: Supplier closed');

    await h.deliverTwice(await eventOf(Topics.redemptionCompensated, id));
    expect((await h.notices(id)).filter((x) => x.kind === 'COMPENSATION')).toHaveLength(1);
  });

  it('announces a scheduled validity change to every member, set-based, once, in the programme time zone', async () => {
    const members = [await h.register('A'), await h.register('B'), await h.register('C')];
    const effectiveAt = '2031-03-01T00:00:00.000Z';
    await h.ok(
      'mutation($i: ValidityChangeInput!) { scheduleValidityChange(input: $i) { validity } }',
      { i: { validity: 'P6M', effectiveAt, reason: 'Simpler terms' } },
      h.tokens().admin(),
    );
    for (const id of members) {
      const [en] = await h.noticesOf(id, 'VALIDITY_CHANGE');
      expect(en.title).toBe('Points validity changes on 1 March 2031 at 08:00 (Asia/Shanghai)');
      expect(en.body).toContain('points you earn are valid for 6 months (now 1 year)');
      expect(en.body).toContain('Points you already have keep their expiry date. Reason: Simpler terms');
      const [zh] = await h.noticesOf(id, 'VALIDITY_CHANGE', 1, 'zh-CN');
      expect(zh.body).toContain('新获得的积分有效期为6个月（目前为1年）');
      expect(zh.body).toContain('2031年3月1日 08:00 (Asia/Shanghai)');
    }
    await h.deliverTwice(
      await eventually(async () => seen.find((e) => e.topic === Topics.programmeValidityChanged)),
    );
    for (const id of members)
      expect((await h.notices(id)).filter((x) => x.kind === 'VALIDITY_CHANGE')).toHaveLength(1);
  });

  it('reminds an inactive member whose points expire soon (R10) once, with a points-plus-cash offer', async () => {
    const shop = await h.merchant('Grocer');
    const id = await h.register('Dormant');
    await h.purchase(shop, id, 1000);
    const ledger = graph().services.ledger as RunningService<unknown>;
    const credit = await fetch(ledger.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${h.tokens().service('campaigns')}`,
      },
      body: JSON.stringify({
        query: 'mutation($i: LedgerCreditInput!) { ledgerCredit(input: $i) { id } }',
        variables: {
          i: {
            idempotencyKey: `recall-${id}`,
            memberId: id,
            points: 40,
            reason: 'Promotion',
            validity: 'P100D',
          },
        },
      }),
    });
    expect(((await credit.json()) as { errors?: unknown }).errors).toBeUndefined();
    // 95 days from now the member has been inactive for three months and the 40 points are near expiry.
    const campaigns = graph().services.campaigns as RunningService<CampaignsApp>;
    await campaigns.app.recall.sweep(new Date(Date.now() + 95 * 86_400_000));
    const [recall] = await h.noticesOf(id, 'CHURN_RECALL');
    expect(recall.title).toBe('40 of your points expire soon');
    expect(recall.body).toContain('points plus cash');
    const [zh] = await h.noticesOf(id, 'CHURN_RECALL', 1, 'zh-CN');
    expect(zh.title).toBe('您有40积分即将过期');

    await h.deliverTwice(await eventOf(Topics.memberRecallOffered, id));
    expect((await h.notices(id)).filter((x) => x.kind === 'CHURN_RECALL')).toHaveLength(1);
  });

  it('warns of expiring points per lot and lead once, naming where they were earned', async () => {
    const shop = await h.merchant('甜品店');
    const id = await h.register('Expiring');
    const event = (lead: string, daysLeft: number): EventEnvelope => ({
      id: crypto.randomUUID(),
      topic: Topics.pointsExpiring,
      key: id,
      occurredAt: new Date().toISOString(),
      source: 'ledger',
      payload: {
        memberId: id,
        kind: 'GREEN',
        points: 70,
        expiresAt: '2030-01-31T16:00:00.000Z',
        daysLeft,
        lotId: 'lot-1',
        lead,
        warningId: crypto.randomUUID(),
        createdAt: new Date().toISOString(),
        merchantId: shop,
      },
    });
    const week = event('P7D', 7);
    await h.deliverTwice(week);
    await h.deliverTwice(event('P1D', 1));
    const warnings = await h.noticesOf(id, 'EXPIRY_WARNING', 2);
    expect(warnings.map((w) => w.title)).toEqual([
      '70 green points expire tomorrow',
      '70 green points expire in 7 days',
    ]);
    expect(warnings[1].body).toBe(
      '70 green points you earned at 甜品店 expire on 1 February 2030 at 00:00 (Asia/Shanghai). Use them before then.',
    );
    const zh = await h.noticesOf(id, 'EXPIRY_WARNING', 2, 'zh-CN');
    expect(zh[1]).toMatchObject({
      title: '您有70绿色积分7天后过期',
      body: '您在甜品店获得的70绿色积分将于2030年2月1日 00:00 (Asia/Shanghai)过期，请在此之前使用。',
    });
    await h.deliverTwice({
      ...week,
      id: crypto.randomUUID(),
      payload: { ...week.payload, warningId: 'again' },
    } as EventEnvelope);
    expect(await h.notices(id)).toHaveLength(2);
  });
});
