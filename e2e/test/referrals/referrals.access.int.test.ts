import { Topics } from '@loyalty/platform';
import { eventually, graphqlRequest, testConfig, testEvent } from '@loyalty/testing';
import { ReferralHarness } from './support/harness';

const PAGE = `query($first: Int!) { members(first: $first) { edges { node {
  id referralCode referralLink
  referrals {
    id status rejectionReason
    inviter { id displayName } invitee { id displayName }
    reward { inviterPoints inviteePoints credited }
    inviteeDiscount { amountOff status }
  }
  referredBy { id status }
  firstOrderDiscount { amountOff }
} } } }`;

describe('referrals: batching, access and on-demand codes', () => {
  const h = new ReferralHarness(testConfig());
  let chain: string[] = [];

  beforeAll(async () => {
    await h.start();
    // A chain m0 → m1 → … → m7, every invitee qualified: every member has invitations or an inviter.
    chain = [await h.register('Chain 0')];
    for (let i = 1; i < 8; i++) {
      chain.push(await h.invite(chain[i - 1], `Chain ${i}`));
      await h.publish(h.purchase(chain[i], 5000));
    }
    await h.app.grants.drain();
  });
  afterAll(() => h.stop());

  it('answers a page of members with a number of queries that does not grow with the page', async () => {
    const counter = h.service.runtime.db.queries;
    const run = async (first: number) => {
      counter.reset(true);
      const res = await h.gql(PAGE, { first }, h.tokens.admin());
      expect(res.errors).toBeUndefined();
      // The counter counts statements run for HTTP requests only (background jobs excluded).
      const statements = [...counter.statements];
      const total = counter.total;
      return {
        total,
        nodes: res.data!.members.edges.map((e: { node: unknown }) => e.node),
        statements,
      };
    };
    const small = await run(2);
    const large = await run(8);
    expect(large.nodes).toHaveLength(8);
    const withReferrals = large.nodes.filter((n: { referrals: unknown[] }) => n.referrals.length > 0);
    expect(withReferrals).toHaveLength(7);
    expect(withReferrals[0].referrals[0]).toMatchObject({
      status: 'REWARDED',
      reward: { inviterPoints: 100, inviteePoints: 50, credited: true },
      invitee: { displayName: expect.stringMatching(/^Chain /) },
    });
    // codes, invitations by inviter, invitation by invitee, grants: one query each.
    expect(large.total).toBeLessThanOrEqual(4);
    expect(large.total).toBe(small.total);
  });

  it('shows invitations only to the member and the operator', async () => {
    const [a, b] = chain;
    const partner = await h.gql(
      'query($id: ID!) { member(id: $id) { referrals { id } } }',
      { id: a },
      h.tokens.partner('m1'),
    );
    expect(partner.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const nested = await h.gql(
      '{ me { referrals { invitee { id referrals { id } } } } }',
      {},
      h.tokens.member(a),
    );
    expect(nested.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const referralId = (await h.referralOf(b))!.id;
    const read = (token: string) =>
      h.gql('query($id: ID!) { referral(id: $id) { id inviter { id } } }', { id: referralId }, token);
    expect((await read(h.tokens.member(a))).data!.referral).toEqual({ id: referralId, inviter: { id: a } });
    expect((await read(h.tokens.member(b))).data!.referral.id).toBe(referralId);
    expect((await read(h.tokens.member(chain[5]))).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await read(h.tokens.admin())).data!.referral.id).toBe(referralId);
    expect(
      (await h.gql('query($id: ID!) { referral(id: $id) { id } }', { id: referralId })).errors?.[0].extensions
        ?.code,
    ).toBe('UNAUTHENTICATED');
  });

  it('discloses the programme to anyone', async () => {
    const res = await h.gql(
      '{ referralProgramme { inviterPoints inviteePoints minimumPurchaseAmount capPerPeriod terms } }',
    );
    expect(res.data!.referralProgramme).toMatchObject({
      inviterPoints: 100,
      inviteePoints: 50,
      capPerPeriod: 20,
    });
    expect(res.data!.referralProgramme.terms.length).toBeGreaterThan(3);
  });

  it('keeps referralCodeOwner internal: hidden from the graph, service-only on the subgraph', async () => {
    const code = await h.codeOf(chain[0]);
    const viaGateway = await h.gql('query($code: String!) { referralCodeOwner(code: $code) }', { code });
    expect(viaGateway.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const direct = (token: string) =>
      graphqlRequest(
        h.service.url,
        'query($code: String!) { referralCodeOwner(code: $code) }',
        { code },
        token,
      );
    expect((await direct(h.tokens.member(chain[0]))).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await direct(h.tokens.service('members'))).data!.referralCodeOwner).toBe(chain[0]);
    const lower = await graphqlRequest(
      h.service.url,
      'query($code: String!) { referralCodeOwner(code: $code) }',
      { code: code.toLowerCase() },
      h.tokens.service('members'),
    );
    expect(lower.data!.referralCodeOwner).toBe(chain[0]);
    const unknown = await graphqlRequest(
      h.service.url,
      '{ referralCodeOwner(code: "22222222") }',
      {},
      h.tokens.service('members'),
    );
    expect(unknown.data!.referralCodeOwner).toBeNull();
  });

  it("disables an erased member's code (PIPL) while their referrals stand", async () => {
    const [a, b] = chain;
    const code = await h.codeOf(a);
    const erased = await h.gql(
      'mutation { erasePersonalData(reason: "asked to") { id } }',
      {},
      h.tokens.member(a),
    );
    expect(erased.errors).toBeUndefined();
    await eventually(async () => (await h.app.codes.ownerOf(code)) === null);
    const res = await h.gql(
      'mutation($code: String!) { registerMember(input: { displayName: "Late", email: "late@example.com", referralCode: $code }) { id } }',
      { code },
    );
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await h.referralOf(b))!.status).toBe('REWARDED');
  });

  it('generates a code on demand, once, for a member whose registration event has not arrived', async () => {
    const ghost = '00000000-0000-4000-8000-000000000001';
    const ask = () =>
      graphqlRequest(
        h.service.url,
        'query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { referralCode } } }',
        { r: [{ __typename: 'Member', id: ghost }] },
        h.tokens.service(),
      );
    const answers = await Promise.all(Array.from({ length: 6 }, ask));
    const codes = answers.map((a) => a.data!._entities[0].referralCode);
    expect(new Set(codes).size).toBe(1);
    expect(codes[0]).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
    await h.publish(
      testEvent(Topics.memberRegistered, {
        memberId: ghost,
        joinedAt: new Date().toISOString(),
        registeredVia: 'self',
        referralCode: null,
      }),
    );
    expect((await ask()).data!._entities[0].referralCode).toBe(codes[0]);
  });
});
