import { randomUUID } from 'node:crypto';
import { Topics, type EventEnvelope } from '@loyalty/platform';
import { testConfig } from '@loyalty/testing';
import { useGraph } from '../support/graph';
import {
  Collector,
  settledSubscriptions,
  subscriptionsAtLeast,
  wsClient,
} from '../realtime/support/realtime';
import { NOTICE_FIELDS, noticeHelpers } from './support';

type Live = { noticeReceived: Record<string, unknown> };

/**
 * Who may read, mark and watch a member's notices (contract v2: the member themself, the operator
 * reads and watches), paging, and `noticeReceived` over real graphql-ws clients.
 */
describe('notices: access, paging and live', () => {
  const clients: { dispose(): Promise<void> | void }[] = [];
  const { graph } = useGraph(testConfig(), undefined, async () => {
    for (const c of clients) await c.dispose();
  });
  const h = noticeHelpers(graph);

  /** A notice caused by an expiry warning of its own lot. */
  const warn = async (memberId: string, points: number, merchantId: string | null = null) => {
    const event: EventEnvelope = {
      id: randomUUID(),
      topic: Topics.pointsExpiring,
      key: memberId,
      occurredAt: new Date().toISOString(),
      source: 'ledger',
      payload: {
        memberId,
        kind: 'REGULAR',
        points,
        expiresAt: '2030-06-30T16:00:00.000Z',
        daysLeft: 30,
        lotId: randomUUID(),
        lead: 'P30D',
        warningId: randomUUID(),
        createdAt: new Date().toISOString(),
        merchantId,
      },
    };
    await h.deliverTwice(event);
  };
  const connect = (token: string, connectionParams?: Record<string, unknown>) => {
    const { client } = wsClient(
      graph().url.replace(/^http/, 'ws'),
      token,
      connectionParams ? { connectionParams: { authorization: `Bearer ${token}`, ...connectionParams } } : {},
    );
    clients.push(client);
    return client;
  };
  const subscribe = async (
    token: string,
    variables: Record<string, unknown> = {},
    params?: Record<string, unknown>,
  ) => {
    const gateway = { gateway: graph().gateway! };
    const before = await settledSubscriptions(gateway);
    const c = new Collector<Live>(
      connect(token, params),
      `subscription($m: ID) { noticeReceived(memberId: $m) { ${NOTICE_FIELDS} } }`,
      variables,
    );
    await subscriptionsAtLeast(gateway, before + 1);
    return c;
  };
  const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) =>
    res.errors?.[0]?.extensions?.code;

  it("keeps a member's notices from everyone but the member and the operator", async () => {
    const shop = await h.merchant('Tea House');
    const owner = await h.register('Owner');
    const other = await h.register('Other');
    await warn(owner, 10);
    const [notice] = await h.noticesOf(owner, 'EXPIRY_WARNING');
    const query = `query($id: ID!) { member(id: $id) { id notices { edges { node { ${NOTICE_FIELDS} } } } } }`;

    expect(codeOf(await h.request(query, { id: owner }, h.tokens().member(other)))).toBe('FORBIDDEN');
    expect(codeOf(await h.request(query, { id: owner }, h.tokens().partner(shop)))).toBe('FORBIDDEN');
    expect(codeOf(await h.request(query, { id: owner }))).toBe('UNAUTHENTICATED');
    expect(await h.notices(other)).toEqual([]);
    const admin = await h.request(query, { id: owner }, h.tokens().admin());
    expect(admin.errors).toBeUndefined();
    expect(admin.data!.member.notices.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([
      notice.id,
    ]);

    // Marking someone else's notice changes nothing and says so; only members mark, their own.
    const mark = 'mutation($ids: [ID!]!) { markNoticesRead(ids: $ids) }';
    expect((await h.ok(mark, { ids: [notice.id] }, h.tokens().member(other))).markNoticesRead).toBe(0);
    expect((await h.notices(owner))[0].readAt).toBeNull();
    expect(codeOf(await h.request(mark, { ids: [notice.id] }, h.tokens().admin()))).toBe('FORBIDDEN');
    expect(codeOf(await h.request(mark, { ids: [notice.id] }, h.tokens().partner(shop)))).toBe('FORBIDDEN');
    expect(codeOf(await h.request(mark, { ids: [notice.id] }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.request(mark, { ids: ['not-an-id'] }, h.tokens().member(owner)))).toBe(
      'BAD_USER_INPUT',
    );
    expect((await h.notices(owner))[0].readAt).toBeNull();

    expect(
      (await h.ok(mark, { ids: [notice.id, notice.id] }, h.tokens().member(owner))).markNoticesRead,
    ).toBe(1);
    expect((await h.ok(mark, { ids: [notice.id] }, h.tokens().member(owner))).markNoticesRead).toBe(0);
    const [read] = await h.notices(owner);
    expect(read.readAt).not.toBeNull();
    expect(await h.notices(owner, undefined, '(unreadOnly: true)')).toEqual([]);
  });

  it('lists newest first in pages, and unread ones alone on request', async () => {
    const id = await h.register('Pager');
    for (const points of [1, 2, 3, 4, 5]) await warn(id, points);
    const page = async (after: string | null) =>
      (
        await h.ok(
          'query($after: String) { me { notices(first: 2, after: $after) { edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } } }',
          { after },
          h.tokens().member(id),
        )
      ).me.notices;
    const titles: string[] = [];
    let after: string | null = null;
    for (;;) {
      const p = await page(after);
      titles.push(...p.edges.map((e: { node: { title: string } }) => e.node.title));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(titles).toEqual([5, 4, 3, 2, 1].map((n) => `${n} points expire in 30 days`));
    const all = await h.notices(id);
    await h.ok(
      'mutation($ids: [ID!]!) { markNoticesRead(ids: $ids) }',
      { ids: [all[0].id, all[2].id] },
      h.tokens().member(id),
    );
    expect((await h.notices(id, undefined, '(unreadOnly: true)')).map((x) => x.title)).toEqual(
      [4, 2, 1].map((n) => `${n} points expire in 30 days`),
    );
    expect(
      codeOf(await h.request('{ me { notices(first: 0) { edges { cursor } } } }', {}, h.tokens().member(id))),
    ).toBe('BAD_USER_INPUT');
  });

  it('pushes each new notice live to its member, in their language, and to an operator naming them', async () => {
    const shop = await h.merchant('Noodle Bar');
    const id = await h.register('Live');
    const other = await h.register('Someone else');
    const mineZh = await subscribe(h.tokens().member(id), {}, { acceptLanguage: 'zh-CN' });
    const mineEn = await subscribe(h.tokens().member(id));
    const operator = await subscribe(h.tokens().admin(), { m: id });
    const stranger = new Collector<Live>(
      connect(h.tokens().member(other)),
      `subscription($m: ID) { noticeReceived(memberId: $m) { id } }`,
      { m: id },
    );
    expect((await stranger.waitForError())[0].extensions?.code).toBe('FORBIDDEN');
    const partner = new Collector<Live>(
      connect(h.tokens().partner(shop)),
      'subscription { noticeReceived { id } }',
    );
    expect((await partner.waitForError())[0].extensions?.code).toBe('FORBIDDEN');

    await warn(id, 12, shop);
    const [stored] = await h.noticesOf(id, 'EXPIRY_WARNING');
    const [zh] = await mineZh.waitFor(1);
    expect(zh.noticeReceived).toEqual({
      id: stored.id,
      kind: 'EXPIRY_WARNING',
      title: '您有12积分30天后过期',
      body: '您在Noodle Bar获得的12积分将于2030年7月1日 00:00 (Asia/Shanghai)过期，请在此之前使用。',
      createdAt: stored.createdAt,
      readAt: null,
    });
    const [en] = await mineEn.waitFor(1);
    expect(en.noticeReceived).toEqual({ ...stored });
    expect((await operator.waitFor(1))[0].noticeReceived.id).toBe(stored.id);

    // The warning arrived twice, yet was pushed once: another member's notice, handled after it,
    // marks the point by which a second push would have arrived.
    await warn(other, 3);
    await h.noticesOf(other, 'EXPIRY_WARNING');
    expect(mineZh.items).toHaveLength(1);
    expect(mineEn.items).toHaveLength(1);
  });
});
