import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GatewayContext } from '../src/context';
import { memberGrantFor, rememberMemberGrants } from '../src/member-grants';

const ENTITIES =
  'query($representations:[_Any!]!){_entities(representations:$representations){...on Member{balance}}}';

function contextWithGrant(): GatewayContext {
  const context: GatewayContext = { principal: null, requestId: 'r' };
  const response: GatewayGraphQLResponse = {
    data: { registerMember: { id: 'm1' } },
    extensions: { memberGrants: [{ memberId: 'm1', token: 'grant-m1' }], other: 1 },
  };
  rememberMemberGrants(response, context);
  expect(response.extensions).toEqual({ other: 1 });
  return context;
}

describe('member grants at the gateway', () => {
  it('uses a grant only for entity fetches of exactly its member', () => {
    const context = contextWithGrant();
    const fetch = (representations: unknown[], query = ENTITIES): GatewayGraphQLRequest => ({
      query,
      variables: { representations },
    });
    expect(memberGrantFor(fetch([{ __typename: 'Member', id: 'm1' }]), context)).toBe('grant-m1');
    expect(memberGrantFor(fetch([{ __typename: 'Member', id: 'm2' }]), context)).toBeUndefined();
    expect(
      memberGrantFor(
        fetch([
          { __typename: 'Member', id: 'm1' },
          { __typename: 'Member', id: 'm2' },
        ]),
        context,
      ),
    ).toBeUndefined();
    expect(memberGrantFor(fetch([{ __typename: 'Reward', id: 'm1' }]), context)).toBeUndefined();
    expect(
      memberGrantFor(fetch([{ __typename: 'Member', id: 'm1' }], 'mutation { x }'), context),
    ).toBeUndefined();
    expect(memberGrantFor({ query: 'mutation { issueMemberCode { code } }' }, context)).toBeUndefined();
  });

  it('ignores answers without grants and malformed grants', () => {
    const context: GatewayContext = { principal: null, requestId: 'r' };
    rememberMemberGrants({ data: {} }, context);
    rememberMemberGrants({ data: {}, extensions: { memberGrants: [{ memberId: 1 }, null] } }, context);
    expect(context.memberGrants?.size ?? 0).toBe(0);
  });
});
