import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from './context';

/**
 * Sends each subgraph the caller's own `Authorization` header: subgraphs verify the token
 * themselves and trust no identity the gateway could assert on its own.
 */
export class AuthForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!('authorization' in context)) return;
    if (context.authorization) request.http?.headers.set('authorization', context.authorization);
    if (context.requestId) request.http?.headers.set('x-request-id', context.requestId);
    if (context.acceptLanguage) request.http?.headers.set('accept-language', context.acceptLanguage);
  }
}
