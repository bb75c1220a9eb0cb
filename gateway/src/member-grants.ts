import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GatewayContext } from './context';

/** The extension in which the members subgraph hands over grants (members' member-grant.plugin.ts). */
const EXTENSION = 'memberGrants';

/**
 * Keeps the member tokens a subgraph minted for this operation's anonymous caller (a sign-up or
 * sign-in) and removes them from the subgraph's answer, so they never reach the client.
 */
export function rememberMemberGrants(response: GatewayGraphQLResponse, context: GatewayContext): void {
  const grants = response.extensions?.[EXTENSION];
  if (!Array.isArray(grants)) return;
  delete response.extensions![EXTENSION];
  for (const grant of grants as unknown[]) {
    const { memberId, token } = (grant ?? {}) as { memberId?: unknown; token?: unknown };
    if (typeof memberId === 'string' && typeof token === 'string') {
      (context.memberGrants ??= new Map()).set(memberId, token);
    }
  }
}

/**
 * The grant to send instead of the caller's own header: only for an entity fetch of exactly the
 * member the grant is for (`registerMember { balance }` reads the ledger's `Member.balance`),
 * never for root fields or other members.
 */
export function memberGrantFor(request: GatewayGraphQLRequest, context: GatewayContext): string | undefined {
  if (!context.memberGrants?.size || !request.query?.includes('_entities')) return undefined;
  const representations = request.variables?.representations;
  if (!Array.isArray(representations) || representations.length === 0) return undefined;
  const ids = new Set<unknown>();
  for (const rep of representations as { __typename?: unknown; id?: unknown }[]) {
    if (rep?.__typename !== 'Member') return undefined;
    ids.add(rep.id);
  }
  if (ids.size !== 1) return undefined;
  const [id] = ids;
  return typeof id === 'string' ? context.memberGrants.get(id) : undefined;
}
