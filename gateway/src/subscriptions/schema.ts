import { createHash } from 'node:crypto';
import type {
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewayLoadResult,
  GatewaySchemaLoadOrUpdateCallback,
  GatewayUnsubscriber,
} from '@apollo/server-gateway-interface';
import type { ApolloGateway } from '@apollo/gateway';
import {
  execute,
  extendSchema,
  getOperationAST,
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  Kind,
  parse,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode } from '@loyalty/platform';
import { channelAvailable, CHANNELS, type Channel } from './channels';
import { fragmentsOf, type Fragments } from './selection-fields';

export interface RealtimeSchema {
  schema: GraphQLSchema;
  channels: Map<string, Channel>;
}

/** The API schema plus `type Subscription { … }` for every channel whose types the graph has. */
export function extendWithSubscriptions(
  apiSchema: GraphQLSchema,
  channels: Channel[] = CHANNELS,
): RealtimeSchema {
  const served = channels.filter((c) => channelAvailable(c, apiSchema));
  if (served.length === 0 || apiSchema.getSubscriptionType())
    return { schema: apiSchema, channels: new Map() };
  const sdl = `type Subscription {\n  ${served.map((c) => c.sdl).join('\n  ')}\n}\nextend schema { subscription: Subscription }\n`;
  const schema = extendSchema(apiSchema, parse(sdl), { assumeValidSDL: false });
  return { schema, channels: new Map(served.map((c) => [c.field, c])) };
}

/** Whether a root selection set asks only for `__schema`, `__type` and `__typename`. */
function introspectionOnly(selectionSet: SelectionSetNode, fragments: Fragments): boolean {
  return selectionSet.selections.every((s) => {
    if (s.kind === Kind.FIELD) return s.name.value.startsWith('__');
    if (s.kind === Kind.INLINE_FRAGMENT) return introspectionOnly(s.selectionSet, fragments);
    const fragment = fragments[s.name.value];
    return fragment ? introspectionOnly(fragment.selectionSet, fragments) : false;
  });
}

/**
 * Wraps the ApolloGateway for Apollo Server: the schema Apollo Server validates against (and that
 * HTTP introspection shows) is the API schema extended with `Subscription`; queries and mutations
 * run through the real gateway executor, introspection runs locally on the extended schema, and
 * subscriptions over HTTP are refused with a pointer to the WebSocket endpoint.
 */
export class SubscriptionAwareGateway implements GatewayInterface {
  private current: RealtimeSchema | null = null;
  private executor: GatewayExecutor | null = null;
  private readonly documents = new Map<string, { document: DocumentNode; hash: string }>();
  private readonly listeners = new Set<(schema: RealtimeSchema) => void>();

  constructor(readonly gateway: ApolloGateway) {}

  /** The served schema (after `load`). */
  get realtime(): RealtimeSchema {
    if (!this.current) throw new Error('gateway schema not loaded yet');
    return this.current;
  }

  /** Called with every schema (re)load, e.g. to hand the WebSocket server the new schema. */
  onRealtimeSchema(listener: (schema: RealtimeSchema) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): GatewayUnsubscriber {
    return this.gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
      this.current = extendWithSubscriptions(apiSchema);
      for (const l of this.listeners) l(this.current);
      callback({ apiSchema: this.current.schema, coreSupergraphSdl });
    });
  }

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    const { executor } = (await this.gateway.load(options)) as GatewayLoadResult;
    if (!executor) return { executor };
    this.executor = executor;
    const wrapped: GatewayExecutor = async (requestContext) => {
      const { operation, document } = requestContext;
      if (operation.operation === 'subscription') {
        return {
          errors: [
            new GraphQLError('Subscriptions are served over WebSocket (graphql-ws) on this same URL', {
              extensions: { code: ErrorCode.BAD_USER_INPUT },
            }),
          ],
        };
      }
      if (this.current && introspectionOnly(operation.selectionSet, fragmentsOf(document))) {
        return execute({
          schema: this.current.schema,
          document,
          operationName: requestContext.operationName,
          variableValues: requestContext.request.variables,
        }) as Promise<Awaited<ReturnType<GatewayExecutor>>>;
      }
      return executor(requestContext);
    };
    return { executor: wrapped };
  }

  /**
   * Runs an operation the gateway composed itself (a subscription's resolution query) straight
   * through the federated executor: no HTTP request pipeline, and none of the per-request limits,
   * which the client's own selection passed at subscribe time; a batch of events multiplies it.
   */
  async executeInternal(
    query: string,
    variables: Record<string, unknown>,
    context: Record<string, unknown>,
    logger: GatewayGraphQLRequestContext['logger'],
  ): Promise<ExecutionResult> {
    if (!this.executor || !this.current) throw new Error('gateway not loaded');
    let parsed = this.documents.get(query);
    if (!parsed) {
      if (this.documents.size > 5_000) this.documents.clear();
      parsed = { document: parse(query), hash: createHash('sha256').update(query).digest('hex') };
      this.documents.set(query, parsed);
    }
    const operation = getOperationAST(parsed.document);
    if (!operation) throw new Error('resolution query has no operation');
    const noCache = { replace() {}, restrict() {}, policyIfCacheable: () => null };
    const requestContext = {
      request: { query, variables },
      document: parsed.document,
      source: query,
      queryHash: parsed.hash,
      operation,
      operationName: operation.name?.value ?? null,
      schema: this.current.schema,
      context,
      logger,
      metrics: {},
      overallCachePolicy: noCache,
    } as unknown as GatewayGraphQLRequestContext;
    return this.executor(requestContext) as Promise<ExecutionResult>;
  }

  stop(): Promise<void> {
    return this.gateway.stop();
  }
}
