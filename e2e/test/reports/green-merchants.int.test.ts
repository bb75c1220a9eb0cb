import { ErrorCode } from '@loyalty/platform';
import { eventually, testConfig } from '@loyalty/testing';
import { useGraph } from '../support/graph';
import { ledgerClient } from '../ledger/helpers';

const RECORD = `mutation($input: PurchaseInput!) { recordPurchase(input: $input) { purchase { id } awards { kind points } } }`;
const REFUND = `mutation($input: RefundInput!) { refundPurchase(input: $input) { purchase { refundedAmount } } }`;
const GREEN = `query($id: ID!, $from: DateTime, $to: DateTime) { member(id: $id) {
  greenImpact(from: $from, to: $to) { from to greenPointsEarned greenPointsRedeemed co2eGrams byCategory { category amount points co2eGrams } }
} }`;

interface Report {
  greenPointsEarned: number;
  greenPointsRedeemed: number;
  co2eGrams: number;
  byCategory: { category: string; amount: number; points: number; co2eGrams: number }[];
}

describe('reports: merchants list and green impact through the gateway', () => {
  // public_transport overridden, one new category; the rest keep their documented defaults.
  let api: ReturnType<typeof ledgerClient>;
  const { gql, tokens, graph } = useGraph(
    testConfig({ GREEN_CO2E_FACTORS: 'public_transport:250, bike-sharing:400, default:10' }),
    (g) => {
      api = ledgerClient(g);
    },
  );
  const admin = tokens.admin();
  const ok = async (query: string, variables?: Record<string, unknown>, token?: string) => {
    const res = await gql(query, variables, token);
    expect(res.errors).toBeUndefined();
    return res.data!;
  };
  const createMerchant = async (name: string) =>
    (
      await ok(
        'mutation($i: CreateMerchantInput!) { createMerchant(input: $i) { id } }',
        { i: { name, category: 'grocery' } },
        admin,
      )
    ).createMerchant.id as string;
  let phone = 13700002000;
  const member = async () =>
    (
      await ok('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', {
        i: { displayName: 'Green', phone: String(phone++) },
      })
    ).registerMember.id as string;

  it('lists merchants newest first for the operator only, page by page', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i += 1) created.push(await createMerchant(`Shop ${i}`));
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: {
        merchants: {
          edges: { node: { id: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      } = (await ok(
        'query($after: String) { merchants(first: 2, after: $after) { edges { cursor node { id name category } } pageInfo { hasNextPage endCursor } } }',
        { after },
        admin,
      )) as never;
      seen.push(...page.merchants.edges.map((e) => e.node.id));
      expect(page.merchants.edges.length).toBeLessThanOrEqual(2);
      if (!page.merchants.pageInfo.hasNextPage) break;
      after = page.merchants.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    // Newest first: the ones just created, in reverse order of creation, ahead of any older ones.
    expect(seen.filter((id) => created.includes(id))).toEqual([...created].reverse());
    expect(seen.slice(0, 5)).toEqual([...created].reverse());

    const partner = await gql('{ merchants { edges { node { id } } } }', {}, tokens.partner(created[0]));
    expect(partner.errors?.[0].extensions?.code).toBe(ErrorCode.FORBIDDEN);
    const anonymous = await gql('{ merchants { edges { node { id } } } }');
    expect(anonymous.errors?.[0].extensions?.code).toBe(ErrorCode.UNAUTHENTICATED);
    const bad = await gql('{ merchants(first: 500) { edges { node { id } } } }', {}, admin);
    expect(bad.errors?.[0].extensions?.code).toBe(ErrorCode.BAD_USER_INPUT);
  });

  it('reports green spend per category, its CO2e and GREEN points, net of refunds', async () => {
    const shop = await createMerchant('Green grocer');
    const id = await member();
    const partner = tokens.partner(shop);
    const start = new Date();
    const bought = await ok(
      RECORD,
      {
        input: {
          merchantId: shop,
          orderId: 'G-1',
          memberId: id,
          amount: 100_000,
          items: [
            { sku: 'metro-card', category: 'Public Transport', amount: 20_000, green: true },
            { sku: 'led-bulb', category: 'energy_saving', amount: 30_000, green: true },
            { sku: 'bike', category: 'bike-sharing', amount: 5_000, green: true },
            { sku: 'tote', amount: 5_000, green: true },
            { sku: 'steak', category: 'food', amount: 40_000 },
          ],
        },
      },
      partner,
    );
    // Default green rate: 1 GREEN point per 100 fen of green items (60,000 fen → 600 points).
    expect(bought.recordPurchase.awards).toContainEqual({ kind: 'GREEN', points: 600 });
    const report = async (variables: Record<string, unknown> = {}, token = tokens.member(id)) =>
      (await ok(GREEN, { id, ...variables }, token)).member.greenImpact as Report;
    const first = await eventually(async () => {
      const r = await report();
      return r.byCategory.length === 4 && r.greenPointsEarned === 600 ? r : null;
    }, 30_000);
    expect(first.byCategory).toEqual([
      // 5,000 fen = 50 yuan × 400 g (configured)
      { category: 'bike_sharing', amount: 5_000, points: 50, co2eGrams: 20_000 },
      // default 570 g/yuan × 300 yuan
      { category: 'energy_saving', amount: 30_000, points: 300, co2eGrams: 171_000 },
      // no category: the configured default factor, 10 g/yuan × 50 yuan
      { category: 'other', amount: 5_000, points: 50, co2eGrams: 500 },
      // overridden 250 g/yuan × 200 yuan
      { category: 'public_transport', amount: 20_000, points: 200, co2eGrams: 50_000 },
    ]);
    expect(first.co2eGrams).toBe(241_500);
    expect(first.greenPointsRedeemed).toBe(0);

    // A refund of a quarter of the purchase takes a quarter of each line and of the GREEN points.
    const mid = new Date();
    await ok(
      REFUND,
      { input: { merchantId: shop, orderId: 'G-1', refundId: 'R-1', amount: 25_000 } },
      partner,
    );
    const after = await eventually(async () => {
      const r = await report();
      return r.byCategory.find((c) => c.category === 'energy_saving')?.amount === 22_500 &&
        r.greenPointsEarned === 450
        ? r
        : null;
    }, 30_000);
    expect(after.byCategory.map((c) => [c.category, c.amount, c.points])).toEqual([
      ['bike_sharing', 3_750, 38],
      ['energy_saving', 22_500, 225],
      ['other', 3_750, 38],
      ['public_transport', 15_000, 150],
    ]);
    // The period before the refund still shows the whole purchase.
    const before = await report({ from: start.toISOString(), to: mid.toISOString() });
    expect(before.co2eGrams).toBe(241_500);
    expect(before.greenPointsEarned).toBe(600);

    // GREEN points spent on a redemption (the catalog's hold and capture): redeemed.
    const hold = await api.hold({ memberId: id, kind: 'GREEN', points: 120 });
    expect(hold.errors).toBeUndefined();
    const capture = await api.internal(
      'mutation($h: ID!, $k: String!) { ledgerCaptureHold(holdId: $h, idempotencyKey: $k) { id } }',
      {
        h: hold.data!.ledgerHold.id,
        k: api.key('capture'),
      },
    );
    expect(capture.errors).toBeUndefined();
    expect((await report()).greenPointsRedeemed).toBe(120);

    // Access: the member and the operator; not another member, not a partner, not anonymous.
    expect((await report({}, admin)).co2eGrams).toBe(after.co2eGrams);
    const other = await gql(GREEN, { id }, tokens.member(await member()));
    expect(other.errors?.[0].extensions?.code).toBe(ErrorCode.FORBIDDEN);
    const byPartner = await gql(GREEN, { id }, partner);
    expect(byPartner.errors?.[0].extensions?.code).toBe(ErrorCode.FORBIDDEN);
    const reversed = await gql(
      GREEN,
      { id, from: mid.toISOString(), to: start.toISOString() },
      tokens.member(id),
    );
    expect(reversed.errors?.[0].extensions?.code).toBe(ErrorCode.BAD_USER_INPUT);
  }, 90_000);
  it('writes nothing, not even an inbox row, for a purchase without green items', async () => {
    const inbox = () =>
      graph()
        .services.ledger!.runtime.db.dataSource.query(
          "SELECT COUNT(*) AS n FROM inbox_events WHERE consumer = 'ledger.green-impact'",
        )
        .then((rows: { n: number | string }[]) => Number(rows[0].n));
    const shop = await createMerchant('Plain grocer');
    const id = await member();
    const before = await inbox();
    const record = (orderId: string, green: boolean) =>
      ok(
        RECORD,
        {
          input: {
            merchantId: shop,
            orderId,
            memberId: id,
            amount: 1_000,
            items: [{ sku: 'x', amount: 1_000, green }],
          },
        },
        tokens.partner(shop),
      );
    await record('P-1', false);
    // Handled after the plain one (one consumer takes its events in order).
    await record('P-2', true);
    await eventually(
      async () => (await ok(GREEN, { id }, tokens.member(id))).member.greenImpact.byCategory.length === 1,
    );
    expect((await inbox()) - before).toBe(1);
  });
});
