import { SERVICES } from '@loyalty/launcher';
import { PeerDirectory, type RunningService } from '@loyalty/platform';
import { graphqlRequest, testConfig } from '@loyalty/testing';
import { useGraph } from '../support/graph';

const RECORD = `mutation($i: PurchaseInput!) { recordPurchase(input: $i) { awards { kind points rule } } }`;

type Award = { kind: string; points: number; rule: string };

/**
 * Campaigns, earn rates and the validity are cached in memory by every campaigns replica: a
 * change must still be seen by the next purchase, on the replica that made it at once, and on
 * another replica as soon as the change's event reaches it (not only when the cache's TTL runs
 * out: it is an hour here).
 */
describe('earn settings: a change is seen by the next purchase', () => {
  const config = testConfig({ EARN_SETTINGS_CACHE_TTL: 'PT1H' });
  let replica: RunningService<unknown> | undefined;
  const { tokens, graph, gql } = useGraph(
    config,
    async (g) => {
      // A second campaigns replica on the same databases and event transport, with its own
      // directory so the gateway keeps calling the first.
      const peers = PeerDirectory.fromConfig(config);
      for (const [name, url] of g.peers.entries()) peers.set(name, url);
      replica = await SERVICES.campaigns.start({ config, transport: g.transport, peers, port: 0 });
    },
    () => replica?.stop(),
  );
  const admin = tokens.admin();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read by path
  const ok = async (res: Promise<{ data?: any; errors?: unknown }>): Promise<any> => {
    const { data, errors } = await res;
    expect(errors).toBeUndefined();
    return data;
  };
  let order = 0;
  let phone = 13900005000;

  const setup = async () => {
    const merchant = (
      await ok(
        gql('mutation { createMerchant(input: { name: "Books", category: "books" }) { id } }', {}, admin),
      )
    ).createMerchant.id as string;
    const member = (
      await ok(
        gql('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', {
          i: { displayName: 'Reader', phone: String(phone++) },
        }),
      )
    ).registerMember.id as string;
    return { merchant, member };
  };
  const purchase = async (url: string, merchant: string, member: string): Promise<Award[]> =>
    (
      await ok(
        graphqlRequest(
          url,
          RECORD,
          { i: { merchantId: merchant, memberId: member, orderId: `cache-${++order}`, amount: 10_000 } },
          tokens.partner(merchant),
        ),
      )
    ).recordPurchase.awards;
  const setRate = (merchant: string, points: number) =>
    ok(
      gql(
        'mutation($i: SetEarnRateInput!) { setMerchantEarnRate(input: $i) { merchantId } }',
        { i: { merchantId: merchant, points, per: 100 } },
        admin,
      ),
    );
  const base = (awards: Award[]) => awards.find((a) => a.rule === 'base')?.points;

  it('on the replica that made it: rates, a new campaign, an ended campaign', async () => {
    const { merchant, member } = await setup();
    const url = graph().url;
    expect(base(await purchase(url, merchant, member))).toBe(100);
    await setRate(merchant, 3);
    expect(base(await purchase(url, merchant, member))).toBe(300);
    const campaign = (
      await ok(
        gql(
          'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }',
          {
            i: {
              name: 'Book week',
              startsAt: new Date(Date.now() - 60_000).toISOString(),
              merchantId: merchant,
              multiplier: 2,
            },
          },
          admin,
        ),
      )
    ).createCampaign.id as string;
    const doubled = await purchase(url, merchant, member);
    expect(doubled.reduce((s, a) => s + a.points, 0)).toBe(600);
    await ok(gql('mutation($id: ID!) { endCampaign(id: $id) { id } }', { id: campaign }, admin));
    expect(await purchase(url, merchant, member)).toEqual([
      expect.objectContaining({ rule: 'base', points: 300 }),
    ]);
  });

  it('on another replica, by the change event', async () => {
    const { merchant, member } = await setup();
    const other = replica!.url;
    // The other replica reads and keeps the default rate.
    expect(base(await purchase(other, merchant, member))).toBe(100);
    await setRate(merchant, 5);
    // The change's event leaves the outbox of the replica that made it.
    await graph().services.campaigns!.relay.flush();
    expect(base(await purchase(other, merchant, member))).toBe(500);
  });
});
