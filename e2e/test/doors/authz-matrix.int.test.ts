import { createHmac, randomUUID } from 'node:crypto';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isInputObjectType,
  parse,
  type GraphQLArgument,
  type GraphQLInputType,
  type IntrospectionQuery,
} from 'graphql';
import { readSupergraph } from '@loyalty/gateway';
import type { ServiceName } from '@loyalty/platform';
import { graphqlRequest, testConfig, type GraphQLResult } from '@loyalty/testing';
import { useGraph } from '../support/graph';
import { buildWorld, type World } from './support/world';

/**
 * The authorisation matrix: every Query and Mutation field that takes an id (directly or in its
 * input), asked by every kind of caller, on the gateway and on the subgraph that owns the field.
 *
 * Outcomes: D data · H hidden (null, no error) · A allowed (not refused: data, or a business error
 * such as CONFLICT) · U UNAUTHENTICATED · F FORBIDDEN · B not in the public graph (BAD_USER_INPUT).
 * A leak is a cell expected U, F, H or B that answers anything else.
 */
const CALLERS = [
  'anonymous',
  'memberOwn',
  'memberOther',
  'partnerOwn',
  'partnerOther',
  'forged',
  'admin',
] as const;
type Caller = (typeof CALLERS)[number];
type Outcome = 'D' | 'H' | 'A' | 'U' | 'F' | 'B';

interface Row {
  /** `Query.x` or `Mutation.x`. */
  field: string;
  /** The operation (selecting only `__typename` of objects, so that one subgraph can answer it). */
  doc: string;
  vars(w: World): Record<string, unknown>;
  /** Outcome per caller, in {@link CALLERS} order: "own" is member A / merchant A, whose objects the ids name. */
  expect: string;
  /** Internal: only services may call it; the gateway does not serve it (Gateway: B for all). */
  internal?: boolean;
}

const key = () => `matrix-${randomUUID()}`;
const now = () => new Date().toISOString();
const later = (days = 1) => new Date(Date.now() + days * 86_400_000).toISOString();

//                                                           anon mOwn mOth pOwn pOth forg admin
const TABLE: Row[] = [
  {
    field: 'Mutation.createPartnerApiKey',
    doc: 'mutation($m: ID!) { createPartnerApiKey(merchantId: $m, name: "Matrix") { __typename } }',
    vars: (w) => ({ m: w.merchantA }),
    expect: 'U F F A F U A',
  },
  {
    field: 'Mutation.revokePartnerApiKey',
    doc: 'mutation($id: ID!) { revokePartnerApiKey(id: $id) { __typename } }',
    vars: (w) => ({ id: w.apiKeyA }),
    expect: 'U F F A F U A',
  },
  {
    field: 'Query.partnerApiKeys',
    doc: 'query($m: ID!) { partnerApiKeys(merchantId: $m) { __typename } }',
    vars: (w) => ({ m: w.merchantA }),
    expect: 'U F F D F U D',
  },
  {
    field: 'Mutation.createWebhookEndpoint',
    doc: 'mutation($m: ID!) { createWebhookEndpoint(merchantId: $m, url: "http://127.0.0.1:9/m", events: ["purchase.refunded"]) { __typename } }',
    vars: (w) => ({ m: w.merchantA }),
    expect: 'U F F A F U A',
  },
  {
    field: 'Mutation.deleteWebhookEndpoint',
    doc: 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename } }',
    vars: (w) => ({ id: w.spareEndpointA }),
    expect: 'U F F A F U A',
  },
  {
    field: 'Query.webhookEndpoints',
    doc: 'query($m: ID!) { webhookEndpoints(merchantId: $m) { __typename } }',
    vars: (w) => ({ m: w.merchantA }),
    expect: 'U F F D F U D',
  },
  {
    field: 'Query.webhookDeliveries',
    doc: 'query($e: ID!) { webhookDeliveries(endpointId: $e) { __typename } }',
    vars: (w) => ({ e: w.endpointA }),
    expect: 'U F F D F U D',
  },
  {
    field: 'Mutation.redeliverWebhook',
    doc: 'mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { __typename } }',
    vars: (w) => ({ id: w.deliveryA }),
    expect: 'U F F A F U A',
  },
  {
    // Marking another member's notice changes nothing (0): not a refusal, and not a leak.
    field: 'Mutation.markNoticesRead',
    doc: 'mutation($ids: [ID!]!) { markNoticesRead(ids: $ids) }',
    vars: (w) => ({ ids: [w.noticeA] }),
    expect: 'U A A F F U F',
  },
  {
    field: 'Mutation.recordRedemptionCashPaid',
    doc: 'mutation($id: ID!) { recordRedemptionCashPaid(id: $id) { __typename } }',
    vars: (w) => ({ id: w.redemptionA }),
    expect: 'U F F A F U A',
  },
  {
    // Nobody signs in with someone else's challenge without its code.
    field: 'Mutation.signIn',
    doc: 'mutation($c: ID!) { signIn(challengeId: $c, code: "000000") { __typename } }',
    vars: (w) => ({ c: w.challengeA }),
    expect: 'U U U U U U U',
  },
  {
    field: 'Query.pointsLiability',
    doc: 'query($m: ID, $f: DateTime!, $t: DateTime!) { pointsLiability(merchantId: $m, from: $f, to: $t) { __typename } }',
    vars: (w) => ({ m: w.merchantA, f: new Date(Date.now() - 86_400_000).toISOString(), t: later() }),
    expect: 'U F F D F U D',
  },
  {
    field: 'Query.campaign',
    doc: 'query($id: ID!) { campaign(id: $id) { __typename } }',
    vars: (w) => ({ id: w.campaign }),
    expect: 'D D D D D U D',
  },
  {
    field: 'Query.previewPurchase',
    doc: 'query($i: PurchaseInput!) { previewPurchase(input: $i) { __typename } }',
    vars: (w) => ({ i: { merchantId: w.merchantA, memberId: w.memberA, orderId: key(), amount: 100 } }),
    expect: 'U F F D F U D',
  },
  {
    field: 'Query.purchase',
    doc: 'query($m: ID!, $o: String!) { purchase(merchantId: $m, orderId: $o) { __typename } }',
    vars: (w) => ({ m: w.merchantA, o: w.orderA }),
    expect: 'U F F D F U D',
  },
  {
    field: 'Query.purchases',
    doc: 'query($m: ID) { purchases(first: 5, merchantId: $m) { __typename } }',
    vars: (w) => ({ m: w.merchantA }),
    expect: 'U F F D F U D',
  },
  {
    field: 'Query.merchantEarnRate',
    doc: 'query($m: ID!) { merchantEarnRate(merchantId: $m) { __typename } }',
    vars: (w) => ({ m: w.merchantA }),
    expect: 'D D D D D U D',
  },
  {
    field: 'Query.redemption',
    doc: 'query($id: ID!) { redemption(id: $id) { __typename } }',
    vars: (w) => ({ id: w.redemptionA }),
    expect: 'U D F D F U D',
  },
  {
    field: 'Query.redemptions',
    doc: 'query($m: ID) { redemptions(merchantId: $m) { __typename } }',
    vars: (w) => ({ m: w.merchantA }),
    expect: 'U F F D F U D',
  },
  {
    field: 'Query.rewards',
    doc: 'query($m: ID) { rewards(merchantId: $m, includeInactive: true) { __typename } }',
    vars: (w) => ({ m: w.merchantA }),
    expect: 'F F F D F U D',
  },
  {
    field: 'Query.reward',
    doc: 'query($id: ID!) { reward(id: $id) { __typename } }',
    vars: (w) => ({ id: w.personalReward }),
    expect: 'H D H D H U D',
  },
  {
    field: 'Query.ledgerAudit',
    doc: 'query($f: LedgerAuditFilter) { ledgerAudit(filter: $f) { __typename } }',
    vars: (w) => ({ f: { merchantId: w.merchantA } }),
    expect: 'U F F D F U D',
  },
  {
    field: 'Query.ledgerAuditCsv',
    doc: 'query($f: LedgerAuditFilter) { ledgerAuditCsv(filter: $f) }',
    vars: (w) => ({ f: { merchantId: w.merchantA } }),
    expect: 'U F F D F U D',
  },
  {
    field: 'Query.member',
    doc: 'query($id: ID!) { member(id: $id) { __typename } }',
    vars: (w) => ({ id: w.memberA }),
    expect: 'U D F D D U D',
  },
  {
    field: 'Query.merchant',
    doc: 'query($id: ID!) { merchant(id: $id) { __typename } }',
    vars: (w) => ({ id: w.merchantA }),
    expect: 'D D D D D U D',
  },
  {
    field: 'Query.personalDataExport',
    doc: 'query($id: ID) { personalDataExport(memberId: $id) { __typename } }',
    vars: (w) => ({ id: w.memberA }),
    expect: 'U D F F F U D',
  },
  {
    field: 'Query.referral',
    doc: 'query($id: ID!) { referral(id: $id) { __typename } }',
    vars: (w) => ({ id: w.referralA }),
    expect: 'U D F F F U D',
  },
  {
    field: 'Query.referralCodeOwner',
    doc: 'query($c: String!) { referralCodeOwner(code: $c) }',
    vars: (w) => ({ c: w.codeB }),
    expect: 'U F F F F U A',
    internal: true,
  },
  {
    field: 'Mutation.createCampaign',
    doc: 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { __typename } }',
    vars: (w) => ({ i: { name: 'Matrix', startsAt: now(), bonusPoints: 1, merchantId: w.merchantA } }),
    expect: 'U F F F F U D',
  },
  {
    field: 'Mutation.updateCampaign',
    doc: 'mutation($id: ID!, $i: UpdateCampaignInput!) { updateCampaign(id: $id, input: $i) { __typename } }',
    vars: (w) => ({ id: w.campaign, i: { name: 'Renamed' } }),
    expect: 'U F F F F U D',
  },
  {
    field: 'Mutation.endCampaign',
    doc: 'mutation($id: ID!) { endCampaign(id: $id) { __typename } }',
    vars: (w) => ({ id: w.campaignToEnd }),
    expect: 'U F F F F U A',
  },
  {
    field: 'Mutation.recordPurchase',
    doc: 'mutation($i: PurchaseInput!) { recordPurchase(input: $i) { __typename } }',
    vars: (w) => ({ i: { merchantId: w.merchantA, memberId: w.memberA, orderId: key(), amount: 100 } }),
    expect: 'U F F D F U D',
  },
  {
    field: 'Mutation.refundPurchase',
    doc: 'mutation($i: RefundInput!) { refundPurchase(input: $i) { __typename } }',
    vars: (w) => ({ i: { merchantId: w.merchantA, orderId: w.orderA, amount: 1, refundId: key() } }),
    expect: 'U F F A F U A',
  },
  {
    field: 'Mutation.setMerchantEarnRate',
    doc: 'mutation($i: SetEarnRateInput!) { setMerchantEarnRate(input: $i) { __typename } }',
    vars: (w) => ({ i: { merchantId: w.merchantA, points: 1, per: 100 } }),
    expect: 'U F F F F U D',
  },
  {
    // A partner needs the member's one-time code (consent at the till), which this call lacks.
    field: 'Mutation.redeemReward',
    doc: 'mutation($i: RedeemInput!) { redeemReward(input: $i) { __typename } }',
    vars: (w) => ({ i: { rewardId: w.publicReward, memberId: w.memberA, idempotencyKey: key() } }),
    expect: 'U A F F F U A',
  },
  {
    field: 'Mutation.fulfillRedemption',
    doc: 'mutation($id: ID!) { fulfillRedemption(id: $id, note: "matrix") { __typename } }',
    vars: (w) => ({ id: w.redemptionA }),
    expect: 'U F F A F U A',
  },
  {
    field: 'Mutation.cancelRedemption',
    doc: 'mutation($id: ID!) { cancelRedemption(id: $id, reason: "matrix") { __typename } }',
    vars: (w) => ({ id: w.redemptionA }),
    expect: 'U A F A F U A',
  },
  {
    field: 'Mutation.createReward',
    doc: 'mutation($i: CreateRewardInput!) { createReward(input: $i) { __typename } }',
    vars: (w) => ({ i: { name: 'Matrix', kind: 'GOODS', pointsPrice: 10, merchantId: w.merchantA } }),
    expect: 'U F F D F U D',
  },
  {
    field: 'Mutation.updateReward',
    doc: 'mutation($i: UpdateRewardInput!) { updateReward(input: $i) { __typename } }',
    vars: (w) => ({ i: { id: w.publicReward, name: 'Tea' } }),
    expect: 'U F F D F U D',
  },
  {
    field: 'Mutation.restockReward',
    doc: 'mutation($id: ID!) { restockReward(id: $id, quantity: 1) { __typename } }',
    vars: (w) => ({ id: w.publicReward }),
    expect: 'U F F D F U D',
  },
  {
    field: 'Mutation.addPriceRule',
    doc: 'mutation($id: ID!, $i: PriceRuleInput!) { addPriceRule(rewardId: $id, input: $i) { __typename } }',
    vars: (w) => ({
      id: w.spareReward,
      i: { label: 'Matrix', pointsPrice: 5, startsAt: later(), endsAt: later(2) },
    }),
    expect: 'U F F A F U A',
  },
  {
    field: 'Mutation.offerReward',
    doc: 'mutation($id: ID!, $m: [ID!]!) { offerReward(rewardId: $id, memberIds: $m) { __typename } }',
    vars: (w) => ({ id: w.personalReward, m: [w.memberA] }),
    expect: 'U F F D F U D',
  },
  {
    field: 'Mutation.delistReward',
    doc: 'mutation($id: ID!) { delistReward(id: $id, reason: "matrix") { __typename } }',
    vars: (w) => ({ id: w.spareReward }),
    expect: 'U F F A F U A',
  },
  {
    field: 'Mutation.adjustPoints',
    doc: 'mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { __typename } }',
    vars: (w) => ({ i: { memberId: w.memberA, points: 1, reason: 'Matrix', idempotencyKey: key() } }),
    expect: 'U F F F F U D',
  },
  {
    field: 'Mutation.issuePartnerToken',
    doc: 'mutation($m: ID!) { issuePartnerToken(merchantId: $m, validDays: 1) }',
    vars: (w) => ({ m: w.merchantA }),
    expect: 'U F F F F U D',
  },
  {
    field: 'Mutation.setMarketingConsent',
    doc: 'mutation($id: ID) { setMarketingConsent(memberId: $id, granted: false) }',
    vars: (w) => ({ id: w.memberA }),
    expect: 'U D F F F U D',
  },
  {
    field: 'Mutation.applyReferralCode',
    doc: 'mutation($id: ID, $c: String!) { applyReferralCode(memberId: $id, code: $c) { __typename } }',
    vars: (w) => ({ id: w.memberA, c: w.codeB }),
    expect: 'U A F F F U A',
  },
  {
    field: 'Mutation.ledgerCredit',
    doc: 'mutation($i: LedgerCreditInput!) { ledgerCredit(input: $i) { __typename } }',
    vars: (w) => ({ i: { memberId: w.memberA, points: 1, reason: 'Matrix', idempotencyKey: key() } }),
    expect: 'U F F F F U F',
    internal: true,
  },
  {
    field: 'Mutation.ledgerHold',
    doc: 'mutation($i: LedgerHoldInput!) { ledgerHold(input: $i) { __typename } }',
    vars: (w) => ({ i: { memberId: w.memberA, points: 1, reason: 'Matrix', idempotencyKey: key() } }),
    expect: 'U F F F F U F',
    internal: true,
  },
  {
    field: 'Mutation.ledgerCaptureHold',
    doc: 'mutation($id: ID!) { ledgerCaptureHold(holdId: $id, idempotencyKey: "k") { __typename } }',
    vars: () => ({ id: randomUUID() }),
    expect: 'U F F F F U F',
    internal: true,
  },
  {
    field: 'Mutation.ledgerReleaseHold',
    doc: 'mutation($id: ID!) { ledgerReleaseHold(holdId: $id, idempotencyKey: "k", reason: "r") { __typename } }',
    vars: () => ({ id: randomUUID() }),
    expect: 'U F F F F U F',
    internal: true,
  },
  {
    field: 'Mutation.ledgerRestoreCapture',
    doc: 'mutation($id: ID!) { ledgerRestoreCapture(holdId: $id, idempotencyKey: "k", reason: "r") { __typename } }',
    vars: () => ({ id: randomUUID() }),
    expect: 'U F F F F U F',
    internal: true,
  },
  {
    field: 'Mutation.ledgerReverse',
    doc: 'mutation($i: LedgerReverseInput!) { ledgerReverse(input: $i) { __typename } }',
    vars: (w) => ({
      i: { memberId: w.memberA, idempotencyKey: key(), reason: 'Matrix', sourceType: 'x', sourceId: 'y' },
    }),
    expect: 'U F F F F U F',
    internal: true,
  },
  {
    field: 'Mutation.ledgerExtendValidity',
    doc: 'mutation($i: LedgerExtendInput!) { ledgerExtendValidity(input: $i) }',
    vars: (w) => ({ i: { memberId: w.memberA, idempotencyKey: key(), reason: 'Matrix', extendBy: 'P1D' } }),
    expect: 'U F F F F U F',
    internal: true,
  },
  // Last: it changes member A for good.
  {
    field: 'Mutation.erasePersonalData',
    doc: 'mutation($id: ID) { erasePersonalData(memberId: $id, reason: "matrix") { __typename } }',
    vars: (w) => ({ id: w.memberA }),
    expect: 'U A F F F U A',
  },
];

const outcomesOf = (row: Row): Record<Caller, Outcome> => {
  const cells = row.expect.split(' ') as Outcome[];
  if (cells.length !== CALLERS.length) throw new Error(`${row.field}: ${cells.length} cells`);
  return Object.fromEntries(CALLERS.map((c, i) => [c, cells[i]])) as Record<Caller, Outcome>;
};

/** An HS256 token with the platform's claims, signed with a key the platform does not have. */
function forgedToken(alg: 'HS256' | 'none'): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${b64({ alg, typ: 'JWT' })}.${b64({
    role: 'admin',
    sub: 'admin',
    iss: 'loyalty-platform',
    aud: 'loyalty-graph',
    exp: Math.floor(Date.now() / 1000) + 600,
  })}`;
  if (alg === 'none') return `${head}.`;
  return `${head}.${createHmac('sha256', 'not-the-platform-secret-0123456789').update(head).digest('base64url')}`;
}

/** Whether the argument's type is, or holds at the top of an input object, an `ID`. */
function takesId(arg: GraphQLArgument | { type: GraphQLInputType }, depth = 0): boolean {
  const named = getNamedType(arg.type);
  if (named.name === 'ID') return true;
  if (depth < 2 && isInputObjectType(named)) {
    return Object.values(named.getFields()).some((f) => takesId(f, depth + 1));
  }
  return false;
}

/** `Query.x` / `Mutation.x` → the subgraph that resolves it, and the fields the gateway hides. */
function ownership(): { owner: Map<string, ServiceName>; inaccessible: Set<string> } {
  const owner = new Map<string, ServiceName>();
  const inaccessible = new Set<string>();
  for (const d of parse(readSupergraph()).definitions) {
    if (d.kind !== 'ObjectTypeDefinition' || !['Query', 'Mutation'].includes(d.name.value)) continue;
    for (const f of d.fields ?? []) {
      const name = `${d.name.value}.${f.name.value}`;
      for (const dir of f.directives ?? []) {
        if (dir.name.value === 'inaccessible') inaccessible.add(name);
        const graph = dir.arguments?.find((a) => a.name.value === 'graph');
        if (dir.name.value === 'join__field' && graph?.value.kind === 'EnumValue') {
          owner.set(name, graph.value.value.toLowerCase() as ServiceName);
        }
      }
    }
  }
  return { owner, inaccessible };
}

function classify(res: GraphQLResult, field: string): { outcome: Outcome | `E:${string}`; detail: string } {
  const detail = JSON.stringify(res).slice(0, 300);
  const code = res.errors?.[0]?.extensions?.code;
  if (code === 'UNAUTHENTICATED') return { outcome: 'U', detail };
  if (code === 'FORBIDDEN') return { outcome: 'F', detail };
  if (code === 'BAD_USER_INPUT' && res.errors!.some((e) => /^Cannot query field/.test(e.message)))
    return { outcome: 'B', detail };
  if (code) return { outcome: `E:${code}`, detail };
  const value = (res.data as Record<string, unknown> | null | undefined)?.[field.split('.')[1]];
  return { outcome: value === null || value === undefined ? 'H' : 'D', detail };
}

const matches = (expected: Outcome, got: Outcome | `E:${string}`): boolean => {
  if (expected === 'A') return got !== 'U' && got !== 'F' && got !== 'B';
  return expected === got;
};

describe('authorisation matrix (every id-taking field × caller, on the gateway and the owning subgraph)', () => {
  let world: World;
  // Sign-in tries are not rate limited here: every caller meets the same challenge on two ports.
  const { graph, gql, tokens } = useGraph(
    testConfig({ SIGN_IN_LIMIT_PER_CONTACT: '0', SIGN_IN_LIMIT_PER_CLIENT: '0' }),
  );
  const tokenFor = (w: World): Record<Caller, (string | undefined)[]> => ({
    anonymous: [undefined],
    memberOwn: [tokens.member(w.memberA)],
    memberOther: [tokens.member(w.memberB)],
    partnerOwn: [tokens.partner(w.merchantA)],
    partnerOther: [tokens.partner(w.merchantB)],
    forged: [forgedToken('HS256'), forgedToken('none')],
    admin: [tokens.admin()],
  });

  beforeAll(async () => {
    world = await buildWorld(gql, tokens);
  });

  /** What member A, merchant A and the catalog look like to the operator: changes if anything was written. */
  const fingerprint = async () => {
    const res = await gql(
      `query($a: ID!, $m: ID!) {
        member(id: $a) { displayName balance history(first: 50) { edges { node { id points } } } }
        purchases(first: 50, merchantId: $m) { edges { node { id amount refundedAmount } } }
        rewards(merchantId: $m, includeInactive: true) { edges { node { id name stock active personal priceRules { label } } } }
        redemptions(merchantId: $m) { edges { node { id status } } }
        campaigns(includeEnded: true) { id name endsAt }
        merchantEarnRate(merchantId: $m) { points per }
      }`,
      { a: world.memberA, m: world.merchantA },
      tokens.admin(),
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return JSON.stringify(res.data);
  };

  it('has a row for every field of the served schema that takes an id, and only those', async () => {
    const res = await graphqlRequest<IntrospectionQuery>(graph().url, getIntrospectionQuery());
    const schema = buildClientSchema(res.data!);
    const served = [schema.getQueryType()!, schema.getMutationType()!].flatMap((type) =>
      Object.values(type.getFields())
        .filter((f) => f.args.some((a) => takesId(a)))
        .map((f) => `${type.name}.${f.name}`),
    );
    const { inaccessible } = ownership();
    const inTable = TABLE.filter((r) => !r.internal).map((r) => r.field);
    expect([...inTable].sort()).toEqual([...served].sort());
    expect(TABLE.filter((r) => r.internal).every((r) => inaccessible.has(r.field))).toBe(true);
    for (const row of TABLE) outcomesOf(row);
  });

  it('refuses every refused cell on the gateway and on the owning subgraph, writing nothing', async () => {
    const { owner } = ownership();
    const callers = tokenFor(world);
    const before = await fingerprint();
    const leaks: string[] = [];
    let cells = 0;
    for (const row of TABLE) {
      const expected = outcomesOf(row);
      const service = owner.get(row.field)!;
      const targets = [
        { where: 'gateway', url: graph().url, internalField: row.internal },
        { where: service, url: graph().services[service]!.url, internalField: false },
      ];
      for (const caller of CALLERS) {
        for (const target of targets) {
          const want: Outcome = target.internalField && caller !== 'forged' ? 'B' : expected[caller];
          if (want === 'D' || want === 'A') continue;
          for (const token of callers[caller]) {
            cells++;
            const res = await graphqlRequest(target.url, row.doc, row.vars(world), token);
            const got = classify(res, row.field);
            if (!matches(want, got.outcome)) {
              leaks.push(
                `${row.field} ${caller} @${target.where}: expected ${want}, got ${got.outcome} ${got.detail}`,
              );
            }
          }
        }
      }
    }
    expect(leaks).toEqual([]);
    expect(cells).toBeGreaterThan(300);
    expect(await fingerprint()).toBe(before);
  });

  it('lets every allowed caller through, on the gateway and on the owning subgraph', async () => {
    const { owner } = ownership();
    const callers = tokenFor(world);
    const wrong: string[] = [];
    for (const row of TABLE) {
      const expected = outcomesOf(row);
      const service = owner.get(row.field)!;
      for (const caller of CALLERS) {
        const want = expected[caller];
        if (want !== 'D' && want !== 'A') continue;
        const targets = row.internal
          ? [graph().services[service]!.url]
          : [graph().url, graph().services[service]!.url];
        for (const url of targets) {
          for (const token of callers[caller]) {
            const got = classify(await graphqlRequest(url, row.doc, row.vars(world), token), row.field);
            if (!matches(want, got.outcome))
              wrong.push(
                `${row.field} ${caller} @${url}: expected ${want}, got ${got.outcome} ${got.detail}`,
              );
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
