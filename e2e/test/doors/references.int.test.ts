import { GATEWAY_AUTHORIZATION_HEADER } from '@loyalty/platform';
import { useGraph } from '../support/graph';
import { buildWorld, type World } from './support/world';

interface Answer {
  data?: { _entities?: (Record<string, unknown> | null)[] } | null;
  errors?: { extensions?: { code?: string } }[];
}

const SELECTION = {
  members: '... on Member { id displayName tier }',
  catalog: '... on Reward { id name }',
  campaigns: '... on Purchase { id orderId }',
};

describe('object-level checks on every reference (what the gateway may be asked to resolve)', () => {
  let world: World;
  const { graph, gql, tokens } = useGraph(undefined, async () => undefined);
  beforeAll(async () => {
    world = await buildWorld(gql, tokens);
  });

  /** `_entities` on a subgraph exactly as the gateway sends it: its vouch plus the caller's token. */
  const entities = async (
    service: 'members' | 'catalog' | 'campaigns',
    representations: object[],
    token?: string,
    selection = SELECTION[service],
  ) => {
    const res = await fetch(graph().services[service]!.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [GATEWAY_AUTHORIZATION_HEADER]: `Bearer ${tokens.service('gateway')}`,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({
        query: `query($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`,
        variables: { r: representations },
      }),
    });
    return (await res.json()) as Answer;
  };
  const codes = (a: Answer) => (a.errors ?? []).map((e) => e.extensions?.code);

  it('lets a member read themself through the members subgraph, and of another member only the name', async () => {
    const member = (id: string) => [{ __typename: 'Member', id }];
    const own = await entities('members', member(world.memberA), tokens.member(world.memberA));
    expect(own.data?._entities?.[0]?.displayName).toBe('Alice Door');
    const other = await entities('members', member(world.memberB), tokens.member(world.memberA));
    expect(other.data?._entities?.[0] ?? null).toBeNull();
    expect(codes(other)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(other)).not.toContain('Bob Door');
    const anonymous = await entities('members', member(world.memberB));
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify(anonymous)).not.toContain('Bob Door');
    for (const field of ['phone', 'email', 'tier', 'tierStatus { rollingSpend }', 'joinedAt']) {
      const part = await entities(
        'members',
        member(world.memberB),
        tokens.member(world.memberA),
        `... on Member { ${field} }`,
      );
      expect(codes(part)).toEqual(['FORBIDDEN']);
    }
    // Where a relationship brings two members together (a referral's invitee), the name is shown.
    const named = await entities(
      'members',
      member(world.memberB),
      tokens.member(world.memberA),
      '... on Member { id displayName }',
    );
    expect(named.data?._entities?.[0]).toEqual({ id: world.memberB, displayName: 'Bob Door' });
    const partner = await entities('members', member(world.memberB), tokens.partner(world.merchantB));
    expect(partner.data?._entities?.[0]?.displayName).toBe('Bob Door');
  });

  it('hides a reward offered only to member A from everyone else, by reward(id) and by reference', async () => {
    const byId = (token?: string) =>
      gql<{ reward: { id: string } | null }>(
        'query($id: ID!) { reward(id: $id) { id name } }',
        { id: world.personalReward },
        token,
      );
    const seen = async (token?: string) => (await byId(token)).data?.reward?.id ?? null;
    expect(await seen()).toBeNull();
    expect(await seen(tokens.member(world.memberB))).toBeNull();
    expect(await seen(tokens.partner(world.merchantB))).toBeNull();
    expect(await seen(tokens.member(world.memberA))).toBe(world.personalReward);
    expect(await seen(tokens.partner(world.merchantA))).toBe(world.personalReward);
    expect(await seen(tokens.admin())).toBe(world.personalReward);
    expect(JSON.stringify(await byId(tokens.member(world.memberB)))).not.toContain('For Alice only');

    const reward = [{ __typename: 'Reward', id: world.personalReward }];
    const toB = await entities('catalog', reward, tokens.member(world.memberB));
    expect(toB.data?._entities).toEqual([null]);
    const toA = await entities('catalog', reward, tokens.member(world.memberA));
    expect(toA.data?._entities?.[0]?.name).toBe('For Alice only');
    const publicOne = await entities('catalog', [{ __typename: 'Reward', id: world.publicReward }]);
    expect(publicOne.data?._entities?.[0]?.name).toBe('Tea');
  });

  it("keeps a member's purchase to the member, its merchant and the operator", async () => {
    const purchase = [{ __typename: 'Purchase', id: world.purchaseA }];
    expect(
      (await entities('campaigns', purchase, tokens.member(world.memberA))).data?._entities?.[0]?.orderId,
    ).toBe(world.orderA);
    expect(
      (await entities('campaigns', purchase, tokens.partner(world.merchantA))).data?._entities?.[0]?.id,
    ).toBe(world.purchaseA);
    for (const token of [tokens.member(world.memberB), tokens.partner(world.merchantB)]) {
      const refused = await entities('campaigns', purchase, token);
      expect(codes(refused)).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(refused)).not.toContain(world.orderA);
    }
    expect(codes(await entities('campaigns', purchase))).toEqual(['UNAUTHENTICATED']);
  });
});
