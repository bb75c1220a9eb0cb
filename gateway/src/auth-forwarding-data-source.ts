import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GatewayContext } from './context';
import { memberGrantFor, rememberMemberGrants } from './member-grants';

/**
 * Sends each subgraph the caller's own `Authorization` header: subgraphs verify the token
 * themselves and trust no identity the gateway could assert on its own. The one exception is a
 * member token that a subgraph itself minted for this operation (an anonymous sign-up or
 * sign-in), used only to read that member (`member-grants.ts`). The caller's address goes along
 * for per-client rate limits.
 */
export class AuthForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!('authorization' in context)) return;
    const grant = memberGrantFor(request, context as GatewayContext);
    if (grant) request.http?.headers.set('authorization', `Bearer ${grant}`);
    else if (context.authorization) request.http?.headers.set('authorization', context.authorization);
    if (context.requestId) request.http?.headers.set('x-request-id', context.requestId);
    if (context.clientAddress) request.http?.headers.set('x-forwarded-for', context.clientAddress);
  }

  override didReceiveResponse({
    response,
    context,
  }: {
    response: GatewayGraphQLResponse;
    context: GatewayContext;
  }): GatewayGraphQLResponse {
    rememberMemberGrants(response, context);
    return response;
  }
}
