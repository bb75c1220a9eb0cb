import { GATEWAY_AUTHORIZATION_HEADER } from '@loyalty/platform';
import { CatalogHarness } from './support/harness';

/**
 * The public reward list is the same for every caller: the catalog says so in its answer's
 * `Cache-Control`, and the gateway answers the same list to any caller from it for that long
 * (gateway/src/public-answers.ts), dropping it when a change goes through it.
 */
describe('the public reward list, answered once for every caller', () => {
  const h = new CatalogHarness();
  const { tokens } = h;
  const gql = h.gql.bind(h);
  let merchantId = '';
  let rewardId = '';
  let LIST = '';

  /** Posts to the catalog's own port as the gateway would; the answer's status, header and body. */
  const catalog = async (query: string, token?: string) => {
    const res = await fetch(h.catalog.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [GATEWAY_AUTHORIZATION_HEADER]: `Bearer ${tokens.service('gateway')}`,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query }),
    });
    const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
    return { status: res.status, cacheControl: res.headers.get('cache-control'), body };
  };
  const catalogStats = () => h.graph.gateway!.subgraphStats().catalog!;
  /** The listed rewards by id. */
  const listed = (data: Record<string, unknown> | null | undefined) =>
    Object.fromEntries(
      (data!.rewards as { edges: { node: { id: string; name: string } }[] }).edges.map((e) => [
        e.node.id,
        e.node,
      ]),
    );

  beforeAll(async () => {
    await h.start();
    merchantId = await h.merchant('Reuse Books', 'books');
    rewardId = await h.reward({ name: 'Bookmark', kind: 'GOODS', merchantId, pointsPrice: 40, stock: 10 });
    LIST = `{ rewards(first: 50, merchantId: "${merchantId}") { edges { node { id name pointsPrice } } } }`;
  });
  afterAll(() => h.stop());

  it('is marked public for a while by the catalog; what depends on the caller is not', async () => {
    const member = tokens.member('m-reuse');
    const list = await catalog(LIST, member);
    expect(list.body.errors).toBeUndefined();
    expect(list.cacheControl).toBe('max-age=10, public');
    // The same list without a caller: nothing in it is theirs.
    expect((await catalog(LIST)).cacheControl).toBe('max-age=10, public');
    // Delisted and personal rewards, one reward by id (personal ones only to their audience),
    // entities, and a list beside a caller's own data: never reusable.
    const inactive = await catalog(
      '{ rewards(first: 5, includeInactive: true) { edges { node { id } } } }',
      tokens.admin(),
    );
    expect(inactive.body.errors).toBeUndefined();
    expect(inactive.cacheControl).toBeNull();
    const one = await catalog(`{ reward(id: "${rewardId}") { id name } }`, member);
    expect(one.body.errors).toBeUndefined();
    expect(one.cacheControl).toBeNull();
    const mixed = await catalog(
      `{ rewards(first: 5) { edges { node { id } } } reward(id: "${rewardId}") { id } }`,
      member,
    );
    expect(mixed.body.errors).toBeUndefined();
    expect(mixed.cacheControl).toBeNull();
  });

  it('is reused only until a special price starts', async () => {
    const other = await h.merchant('Soon Toys', 'toys');
    const toy = await h.reward({ name: 'Kite', kind: 'GOODS', merchantId: other, pointsPrice: 50 });
    const startsAt = new Date(Date.now() + 4_000).toISOString();
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const rule = await gql(
      'mutation($r: ID!, $i: PriceRuleInput!) { addPriceRule(rewardId: $r, input: $i) { id } }',
      { r: toy, i: { label: 'soon', pointsPrice: 30, startsAt, endsAt } },
      tokens.admin(),
    );
    expect(rule.errors).toBeUndefined();
    const list = await catalog(
      `{ rewards(first: 5, merchantId: "${other}") { edges { node { id pointsPrice } } } }`,
      tokens.member('m-reuse'),
    );
    expect(list.body.errors).toBeUndefined();
    // 3 or 4 seconds (the special price starts 4 s after it was written), never the full 10.
    expect(list.cacheControl).toMatch(/^max-age=[34], public$/);
  });

  it('is fetched once for members, partners and anonymous callers alike, until a change goes through the gateway', async () => {
    const first = await gql(LIST, {}, tokens.member('m-1'));
    expect(first.errors).toBeUndefined();
    const before = catalogStats();
    const callers = [tokens.member('m-2'), tokens.partner(merchantId), tokens.member('m-3'), undefined];
    for (const token of callers) {
      const res = await gql(LIST, {}, token);
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual(first.data);
    }
    const after = catalogStats();
    expect(after.sent - before.sent).toBe(0);
    expect(after.cached - before.cached).toBe(callers.length);

    // A change through the gateway drops what was kept: the next caller sees it at once.
    const renamed = await gql(
      'mutation($i: UpdateRewardInput!) { updateReward(input: $i) { id name } }',
      { i: { id: rewardId, name: 'Leather bookmark' } },
      tokens.admin(),
    );
    expect(renamed.errors).toBeUndefined();
    const next = await gql(LIST, {}, tokens.member('m-2'));
    expect(listed(next.data)[rewardId]).toMatchObject({ name: 'Leather bookmark' });
    expect(catalogStats().sent - after.sent).toBe(2);
  });

  it("never answers one caller's data to another", async () => {
    const chosen = await h.member('Chosen Reader');
    const personal = await h.reward({
      name: 'Signed copy',
      kind: 'GOODS',
      merchantId,
      pointsPrice: 90,
      offeredTo: [chosen],
    });
    // The same query text: a personal reward is its audience's to see, so each caller is asked for.
    const query = `{ reward(id: "${personal}") { id name } }`;
    const before = catalogStats();
    const mine = await gql(query, {}, tokens.member(chosen));
    const theirs = await gql(query, {}, tokens.member('m-not-chosen'));
    expect(mine.data?.reward).toEqual({ id: personal, name: 'Signed copy' });
    expect(theirs.data?.reward ?? null).toBeNull();
    expect(catalogStats().sent - before.sent).toBe(2);
  });
});
