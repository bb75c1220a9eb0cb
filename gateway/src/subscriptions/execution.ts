import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import {
  GraphQLError,
  print,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
} from 'graphql';
import { createErrorFormatter, type Logger, type Principal, type TokenService } from '@loyalty/platform';
import type { GatewayContext } from '../context';
import type { OperationContext } from './operation';
import { audienceKey, type Audience, type RunQuery } from './resolver';
import type { SubscriptionAwareGateway } from './schema';

/**
 * Resolutions run with the audience's own rights: a short-lived token the gateway signs, cached
 * per audience and renewed well before it expires.
 */
export class AudienceTokens {
  private readonly signed = new Map<string, { token: Promise<string>; until: number }>();

  constructor(private readonly tokens: TokenService) {}

  async for(audience: Audience): Promise<{ authorization: string; principal: Principal }> {
    const key = audienceKey(audience);
    const principal: Principal =
      audience.role === 'admin'
        ? { role: 'admin', sub: 'gateway-realtime' }
        : { role: 'member', sub: audience.memberId };
    let entry = this.signed.get(key);
    if (!entry || entry.until < Date.now()) {
      if (this.signed.size > 100_000) this.signed.clear();
      entry = { token: this.tokens.sign(principal, '10m'), until: Date.now() + 5 * 60_000 };
      this.signed.set(key, entry);
      entry.token.catch(() => this.signed.delete(key));
    }
    return { authorization: `Bearer ${await entry.token}`, principal };
  }
}

/**
 * Runs resolution queries straight through the federated executor (not through Apollo Server's
 * HTTP pipeline); their errors are formatted like any other response's (codes kept, internals
 * masked).
 */
export function resolutionRunner(
  gateway: SubscriptionAwareGateway,
  tokens: TokenService,
  logger: Logger,
): RunQuery {
  const audiences = new AudienceTokens(tokens);
  const formatError = createErrorFormatter(logger);
  const gatewayLogger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (m: unknown) => logger.warn(String(m)),
    error: (m: unknown) => logger.error(String(m)),
  };
  return async (query, variables, audience) => {
    const { authorization, principal } = await audiences.for(audience);
    const context: GatewayContext = { authorization, principal, requestId: randomUUID(), fresh: true };
    const result = await gateway.executeInternal(query, variables, context as never, gatewayLogger);
    return {
      data: result.data as Record<string, unknown> | null | undefined,
      errors: result.errors?.map((e) => formatError(e instanceof GraphQLError ? e.toJSON() : e, e)),
    };
  };
}

/**
 * graphql-ws `execute`: queries and mutations sent over the socket run through Apollo Server like
 * HTTP ones, with the connection's token; errors go back to graphql-ws as GraphQLErrors.
 */
export function socketExecutor(apollo: ApolloServer<GatewayContext>) {
  return async (args: ExecutionArgs): Promise<ExecutionResult> => {
    const { authorization, principal } = args.contextValue as OperationContext;
    const response = await apollo.executeOperation(
      { query: print(args.document), variables: (args.variableValues ?? {}) as Record<string, unknown> },
      { contextValue: { authorization, principal, requestId: randomUUID() } },
    );
    if (response.body.kind !== 'single') throw new Error('incremental delivery is not supported here');
    const result = response.body.singleResult as FormattedExecutionResult<Record<string, unknown>>;
    return {
      ...result,
      errors: result.errors?.map(
        (e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }),
      ),
    };
  };
}
