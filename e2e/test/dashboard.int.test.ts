import { DASHBOARD_QUERY as DASHBOARD, eventually, testConfig } from '@loyalty/testing';
import { useGraph } from './support/graph';

type Counts = Record<string, number>;

/**
 * What one member's dashboard costs: subgraph fetches at the gateway and SQL statements at each
 * subgraph (docs: gateway/README.md, "Benchmark"). A regression in either fails here, not only in
 * `pnpm bench gateway`.
 */
describe('the member dashboard', () => {
  const { tokens, graph, gql } = useGraph(testConfig());
  const mysql = Boolean(process.env.MYSQL_URL);
  let memberId = '';
  let otherId = '';
  let merchantId = '';

  beforeAll(async () => {
    const admin = tokens.admin();
    const ok = async (query: string, variables: Record<string, unknown>, token: string) => {
      const r = await gql(query, variables, token);
      if (r.errors || !r.data) throw new Error(JSON.stringify(r.errors));
      return r.data;
    };
    merchantId = (
      await ok(
        'mutation { createMerchant(input: { name: "Dash Coffee", category: "dining" }) { id } }',
        {},
        admin,
      )
    ).createMerchant.id;
    const rewards: string[] = [];
    for (let r = 0; r < 2; r++) {
      const i = { name: `Reward ${r}`, kind: 'COUPON', merchantId, pointsPrice: 5, stock: 100 };
      rewards.push(
        (await ok('mutation($i: CreateRewardInput!) { createReward(input: $i) { id } }', { i }, admin))
          .createReward.id,
      );
    }
    const register = async (name: string) =>
      (
        await ok(
          'mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id referralCode } }',
          { i: { displayName: name, email: `${name.toLowerCase()}@example.com` } },
          admin,
        )
      ).registerMember as { id: string; referralCode: string };
    const member = await register('Dasher');
    memberId = member.id;
    otherId = (await register('Other')).id;
    for (let p = 0; p < 10; p++) {
      await ok(
        'mutation($i: PurchaseInput!) { recordPurchase(input: $i) { purchase { id } } }',
        { i: { merchantId, orderId: `dash-${p}`, memberId, amount: 10_000 } },
        tokens.partner(merchantId),
      );
    }
    const invitee = await register('Invitee');
    await ok(
      'mutation($m: ID, $c: String!) { applyReferralCode(memberId: $m, code: $c) { id } }',
      { m: invitee.id, c: member.referralCode },
      admin,
    );
    const own = tokens.member(memberId);
    // The ledger's copy of the merchant's name comes from `merchant.created`: counted below
    // once it is there (the path without it is merchant-names.int.test.ts's).
    const ledger = graph().services.ledger!.runtime.transactor;
    await eventually(async () => {
      const rows = await ledger.read((m) =>
        m.query('SELECT 1 FROM ledger_merchants WHERE id = ?', [merchantId]),
      );
      return rows.length === 1;
    });
    await eventually(async () => {
      const d = await gql('query($id: ID!) { member(id: $id) { balance } }', { id: memberId }, own);
      return (d.data?.member?.balance ?? 0) >= 50;
    });
    for (let k = 0; k < 2; k++) {
      await ok(
        'mutation($i: RedeemInput!) { redeemReward(input: $i) { id } }',
        { i: { rewardId: rewards[k], idempotencyKey: `dash-${k}` } },
        own,
      );
    }
  });

  /** Runs the dashboard as `token`, counting fetches sent per subgraph and SQL per subgraph. */
  const dashboard = async (id: string, token: string) => {
    const services = graph().services;
    for (const s of Object.values(services)) s!.runtime.db.queries.reset(true);
    const sent = () =>
      Object.fromEntries(Object.entries(graph().gateway!.subgraphStats()).map(([n, s]) => [n, s.sent]));
    const before = sent();
    const res = await gql(DASHBOARD, { id }, token);
    const after = sent();
    const fetches: Counts = {};
    for (const [n, v] of Object.entries(after))
      if (v - (before[n] ?? 0) > 0) fetches[n] = v - (before[n] ?? 0);
    const statements = Object.fromEntries(
      Object.entries(services).map(([n, s]) => [n, [...s!.runtime.db.queries.statements]]),
    );
    return { res, fetches, statements };
  };

  it('answers in five subgraph fetches in two rounds and ten SQL statements, by-id reads without the query builder', async () => {
    const { res, fetches, statements } = await dashboard(memberId, tokens.member(memberId));
    expect(res.errors).toBeUndefined();
    const member = res.data!.member;
    expect(member).toMatchObject({ id: memberId, displayName: 'Dasher', tier: 'REGULAR' });
    expect(member.history.edges).toHaveLength(10);
    for (const { node } of member.history.edges)
      expect(node.merchant).toEqual({ id: merchantId, name: 'Dash Coffee' });
    expect(
      member.redemptions.edges.map((e: { node: { reward: { name: string } } }) => e.node.reward.name).sort(),
    ).toEqual(['Reward 0', 'Reward 1']);
    expect(member.referrals).toHaveLength(1);
    expect(res.data!.rewards.edges.length).toBeGreaterThanOrEqual(2);
    // member; then ledger, catalog and referrals for it, and the rewards list. The history's
    // merchant names come from the ledger's copy (`@provides`): no third round to members.
    expect(fetches).toEqual({ members: 1, ledger: 1, catalog: 2, referrals: 1 });
    expect(Object.fromEntries(Object.entries(statements).map(([n, s]) => [n, s.length]))).toEqual({
      members: 2,
      ledger: 3,
      catalog: 4,
      referrals: 1,
      campaigns: 0,
    });
    // Lean reads by key: the columns by name, no query-builder aliases.
    const q = mysql ? '`' : '"';
    const lean = (table: string, column: string) =>
      new RegExp(`^SELECT ${q}id${q}, .* FROM ${q}${table}${q} WHERE ${q}${column}${q} IN \\(\\?(, \\?)*\\)`);
    expect(statements.members).toEqual(
      expect.arrayContaining([
        expect.stringMatching(lean('members', 'id')),
        expect.stringMatching(
          /^SELECT `memberId`, SUM\(`amount`\) AS `total`, MIN\(`occurredAt`\) AS `oldest` FROM `member_spend`/,
        ),
      ]),
    );
    // The names joined in the history's read: the ledger's three statements stay three.
    expect(statements.ledger).toEqual(
      expect.arrayContaining([expect.stringMatching(/LEFT JOIN `ledger_merchants`/)]),
    );
    expect(statements.referrals).toEqual([expect.stringMatching(lean('referrals', 'inviterId'))]);
    expect(statements.catalog).toEqual(
      expect.arrayContaining([
        expect.stringMatching(lean('redemptions', 'memberId')),
        expect.stringMatching(lean('rewards', 'id')),
        expect.stringMatching(lean('price_rules', 'rewardId')),
        expect.stringMatching(
          new RegExp(`^SELECT ${q}id${q}, .* FROM ${q}rewards${q} WHERE ${q}active${q} = \\?`),
        ),
      ]),
    );
  });

  it("takes the reward list, the same for every member, from the last member's answer", async () => {
    const first = await dashboard(memberId, tokens.member(memberId));
    const { res, fetches } = await dashboard(otherId, tokens.member(otherId));
    expect(res.errors).toBeUndefined();
    expect(res.data!.member).toMatchObject({ id: otherId, displayName: 'Other' });
    expect(res.data!.rewards).toEqual(first.res.data!.rewards);
    // The catalog is asked only for this member's redemptions (gateway/src/public-answers.ts).
    expect(fetches).toEqual({ members: 1, ledger: 1, catalog: 1, referrals: 1 });
  });

  it("shows another member's dashboard to nobody but its member", async () => {
    const { res } = await dashboard(memberId, tokens.member(otherId));
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(res.data ?? null)).not.toContain('Dasher');
    expect(JSON.stringify(res.data ?? null)).not.toContain('dash-');
  });
});
