import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import {
  ErrorCode,
  GATEWAY_AUTHORIZATION_HEADER,
  isErrorCode,
  ServiceUnavailableError,
} from '@loyalty/platform';
import type { GatewayContext } from './context';
import { memberGrantFor, rememberMemberGrants } from './member-grants';

type FetchResponse = Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0];

export interface AuthForwardingOptions {
  /** The subgraph's name, for the caller-facing message of an outage. */
  name: string;
  url: string;
  /** A current service token of the gateway's, sent in {@link GATEWAY_AUTHORIZATION_HEADER}. */
  vouch(): Promise<string>;
}

/** The first error of a subgraph's answer, when it carries one of the graph's public codes. */
function publicError(body: unknown): GraphQLError | null {
  const errors = (body as { errors?: unknown } | null)?.errors;
  const first = Array.isArray(errors)
    ? (errors[0] as { message?: unknown; extensions?: { code?: unknown } })
    : null;
  const code = first?.extensions?.code;
  if (!isErrorCode(code) || code === ErrorCode.INTERNAL_SERVER_ERROR || typeof first?.message !== 'string') {
    return null;
  }
  return new GraphQLError(first.message, { extensions: { code } });
}

/**
 * Sends each subgraph the caller's own `Authorization` header (subgraphs verify the token
 * themselves and authorise the caller, not the gateway) and the gateway's own service token in
 * {@link GATEWAY_AUTHORIZATION_HEADER}, which is what lets the request reach `_entities`. The one
 * exception to forwarding the caller's header is a member token that a subgraph itself minted for
 * this operation (an anonymous sign-up or sign-in), used only to read that member
 * (`member-grants.ts`). The caller's address goes along for per-client rate limits. Failures
 * reach the caller as their public code, or SERVICE_UNAVAILABLE: never the subgraph's URL or raw
 * answer.
 */
export class AuthForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly subgraph: string;
  private readonly vouch: () => Promise<string>;

  constructor(options: AuthForwardingOptions) {
    super({
      url: options.url,
      // Node's own fetch (undici, pooled keep-alive) instead of the default make-fetch-happen,
      // which spent a sixth of the gateway's CPU per subgraph call in the realtime benchmark.
      fetcher: fetch as never,
    });
    this.subgraph = options.name;
    this.vouch = options.vouch;
  }

  override async willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    request.http?.headers.set(GATEWAY_AUTHORIZATION_HEADER, `Bearer ${await this.vouch()}`);
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

  /** A non-2xx answer: the subgraph's own coded error (a 400 for bad variables), or an outage. */
  override async errorFromResponse(response: FetchResponse): Promise<GraphQLError> {
    const body: unknown = await this.parseBody(response).catch(() => null);
    return publicError(body) ?? this.unavailable();
  }

  override didEncounterError(error: Error): void {
    if (error instanceof GraphQLError && isErrorCode(error.extensions.code)) throw error;
    // Connection refused, reset, unreadable answer: the messages name the subgraph's URL.
    throw this.unavailable();
  }

  private unavailable(): GraphQLError {
    return new ServiceUnavailableError(`The ${this.subgraph} service is unavailable; try again`);
  }
}
