import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApolloServer } from '@apollo/server';
import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  parse,
  print,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type FormattedExecutionResult,
  type ValidationRule,
} from 'graphql';
import { CloseCode, type ConnectionInitMessage } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import {
  AppError,
  BadInputError,
  createErrorFormatter,
  ErrorCode,
  ForbiddenError,
  LimitReachedError,
  TokenService,
  type EventTransport,
  type Logger,
  type Principal,
} from '@loyalty/platform';
import type { GatewayContext } from '../context';
import type { Channel } from './channels';
import { EventHub } from './hub';
import { audienceKey, EventResolver, type Audience, type RunQuery } from './resolver';
import type { SubscriptionAwareGateway } from './schema';
import { collectFields, compileSelection, fragmentsOf, type CompiledSelection } from './selection';
import { SubscriptionStream } from './stream';

/** Close codes (graphql-ws conventions; 1001 and 1013 are retried by graphql-ws clients). */
export const RealtimeClose = {
  /** Missing, malformed, invalid or expired token. Fatal for graphql-ws clients. */
  Unauthenticated: CloseCode.Unauthorized,
  /** The gateway is shutting down: reconnect (to another replica) and resume. */
  GoingAway: 1001,
  /** The client fell too far behind: reconnect and resume with `afterSequence`. */
  SlowConsumer: 1013,
} as const;

export interface RealtimeLimits {
  /** Open WebSocket connections per gateway process; more get HTTP 503 at upgrade. */
  maxConnections: number;
  /** Active subscriptions per connection. */
  maxSubscriptionsPerConnection: number;
  /** Undelivered events per subscription before the connection is closed as too slow. */
  maxPending: number;
  /** Server ping interval; a client that does not pong within it is dropped (0: off). */
  keepAliveMs: number;
  /** Time for `connection_init` after the socket opens. */
  connectionInitTimeoutMs: number;
  /** Resolution queries running through the gateway at once; more events wait and batch up. */
  maxResolutionsInFlight: number;
}

export const DEFAULT_LIMITS: RealtimeLimits = {
  maxConnections: 20_000,
  maxSubscriptionsPerConnection: 20,
  maxPending: 1_000,
  keepAliveMs: 12_000,
  connectionInitTimeoutMs: 5_000,
  maxResolutionsInFlight: 8,
};

export interface RealtimeOptions {
  httpServer: HttpServer;
  path: string;
  gateway: SubscriptionAwareGateway;
  apollo: ApolloServer<GatewayContext>;
  transport: EventTransport;
  tokens: TokenService;
  logger: Logger;
  production: boolean;
  /** Extra validation (depth, aliases, cost): the same limits as over HTTP. */
  validationRules: readonly ValidationRule[];
  limits?: Partial<RealtimeLimits>;
}

export interface RealtimeStats {
  connections: number;
  subscriptions: number;
  eventsReceived: number;
  /** One per subscriber and event. */
  resolutionsRequested: number;
  /** Distinct (event, selection, audience) resolutions. */
  resolutionsShared: number;
  /** Gateway queries sent (each carries a batch of resolutions). */
  resolutionsExecuted: number;
  slowConsumersClosed: number;
}

export interface RealtimeServer {
  stats(): RealtimeStats;
  /** Completes every subscription and closes every connection with 1001, then stops listening. */
  close(): Promise<void>;
}

type ConnectionState = {
  principal?: Principal;
  authorization?: string;
  expiry?: NodeJS.Timeout;
};

type Ctx = Extra & Partial<ConnectionState>;

/** What onSubscribe prepared for `subscribe`. */
interface SubscriptionPlan {
  kind: 'subscription';
  selection: CompiledSelection;
  audience: Audience;
  memberId: string | null;
  afterSequence: number | null;
  socket: Extra['socket'];
}

interface OperationContext {
  kind: 'operation';
  authorization?: string;
  principal: Principal | null;
}

const bad = (message: string) => new BadInputError(message);

/** The token's expiry (seconds since the epoch), read after verification. */
function expiryOf(authorization: string): number | null {
  try {
    const payload = authorization.replace(/^Bearer\s+/i, '').split('.')[1];
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : null;
  } catch {
    return null;
  }
}

/**
 * Who may watch what (T4): a member only their own stream; an operator (admin, or a service)
 * names any member or, omitting it, watches everyone; partners none.
 */
export function authorizeSubscription(
  principal: Principal,
  channel: Channel,
  args: Record<string, unknown>,
): { memberId: string | null; audience: Audience; afterSequence: number | null } {
  const requested = (args.memberId as string | null | undefined) ?? null;
  const afterSequence = (args.afterSequence as number | null | undefined) ?? null;
  if (afterSequence !== null && afterSequence < 0) throw bad('afterSequence must be 0 or more');
  if (afterSequence !== null && !channel.sequenceOf) throw bad(`${channel.field} cannot resume`);
  if (principal.role === 'member') {
    if (requested !== null && requested !== principal.sub) {
      throw new ForbiddenError('A member may only subscribe to their own streams');
    }
    return { memberId: principal.sub, audience: { role: 'member', memberId: principal.sub }, afterSequence };
  }
  if (principal.role === 'admin' || principal.role === 'service') {
    if (requested === null && afterSequence !== null) throw bad('afterSequence needs a memberId');
    return { memberId: requested, audience: { role: 'admin' }, afterSequence };
  }
  throw new ForbiddenError('Only members (their own streams) and operators may subscribe');
}

const asErrors = (error: unknown): GraphQLError[] => {
  if (error instanceof GraphQLError) return [error];
  return [
    new GraphQLError('Internal server error', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }),
  ];
};

/** Normalizes an error's `extensions` for clients: a code from the contract's enum, no internals. */
function publicError(e: GraphQLError): GraphQLError {
  const code =
    e instanceof AppError ? e.code : ((e.extensions?.code as string | undefined) ?? ErrorCode.BAD_USER_INPUT);
  return new GraphQLError(e.message, { nodes: e.nodes, extensions: { code } });
}

/**
 * graphql-ws on the gateway's own port and path. The schema is the gateway's API schema plus
 * `Subscription`; every subscription field is an event channel whose events are resolved through
 * the in-process gateway (see {@link EventResolver}); queries and mutations sent over the socket
 * run through the gateway like HTTP ones.
 */
export async function startRealtime(options: RealtimeOptions): Promise<RealtimeServer> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const { logger, tokens, apollo } = options;
  const hub = new EventHub(options.transport);
  await hub.start(options.gateway.realtime.channels.values());

  // Resolutions run with the audience's own rights (a short-lived token the gateway signs).
  const signed = new Map<string, { token: string; until: number }>();
  const tokenFor = (audience: Audience): { authorization: string; principal: Principal } => {
    const key = audienceKey(audience);
    const principal: Principal =
      audience.role === 'admin'
        ? { role: 'admin', sub: 'gateway-realtime' }
        : { role: 'member', sub: audience.memberId };
    let entry = signed.get(key);
    if (!entry || entry.until < Date.now()) {
      if (signed.size > 100_000) signed.clear();
      entry = { token: tokens.sign(principal, '10m'), until: Date.now() + 5 * 60_000 };
      signed.set(key, entry);
    }
    return { authorization: `Bearer ${entry.token}`, principal };
  };
  const execute = async (
    query: string,
    variables: Record<string, unknown>,
    authorization: string | undefined,
    principal: Principal | null,
  ): Promise<FormattedExecutionResult<Record<string, unknown>>> => {
    const response = await apollo.executeOperation(
      { query, variables },
      { contextValue: { authorization, principal, requestId: randomUUID() } },
    );
    if (response.body.kind !== 'single') throw new Error('incremental delivery is not supported here');
    return response.body.singleResult as FormattedExecutionResult<Record<string, unknown>>;
  };
  // Resolution queries go straight to the federated executor (not through Apollo Server's HTTP
  // pipeline); their errors are formatted like any other response's (codes kept, internals masked).
  const formatError = createErrorFormatter(logger);
  const gatewayLogger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (m: unknown) => logger.warn(String(m)),
    error: (m: unknown) => logger.error(String(m)),
  };
  const run: RunQuery = async (query, variables, audience) => {
    const { authorization, principal } = tokenFor(audience);
    const context: GatewayContext = { authorization, principal, requestId: randomUUID() };
    const result = await options.gateway.executeInternal(query, variables, context as never, gatewayLogger);
    return {
      data: result.data as Record<string, unknown> | null | undefined,
      errors: result.errors?.map((e) => formatError(e instanceof GraphQLError ? e.toJSON() : e, e)),
    };
  };
  const resolver = new EventResolver(run, limits.maxResolutionsInFlight);

  let subscriptions = 0;
  let slowClosed = 0;
  let closing = false;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  const rules = [...specifiedRules, ...options.validationRules];

  const disposable = useServer<ConnectionInitMessage['payload'], ConnectionState>(
    {
      isProd: options.production,
      connectionInitWaitTimeout: limits.connectionInitTimeoutMs,
      schema: () => options.gateway.realtime.schema,
      onConnect: (ctx) => {
        const extra = ctx.extra as Ctx;
        const params = ctx.connectionParams ?? {};
        const raw = params.authorization ?? params.Authorization;
        const refuse = (reason: string) => {
          extra.socket.close(RealtimeClose.Unauthenticated, `Unauthorized: ${reason}`);
          return false;
        };
        if (typeof raw !== 'string' || raw === '') {
          return refuse('UNAUTHENTICATED: send { "authorization": "Bearer <jwt>" } in connection_init');
        }
        let principal: Principal | null;
        try {
          principal = tokens.fromHeader(raw);
        } catch {
          return refuse('UNAUTHENTICATED: invalid or expired token');
        }
        if (!principal) return refuse('UNAUTHENTICATED');
        extra.principal = principal;
        extra.authorization = raw;
        const exp = expiryOf(raw);
        if (exp !== null) {
          // The connection lives no longer than its token; the client reconnects with a fresh one.
          const ms = Math.min(exp * 1000 - Date.now(), 2 ** 31 - 1);
          extra.expiry = setTimeout(
            () => extra.socket.close(RealtimeClose.Unauthenticated, 'Unauthorized: token expired'),
            ms,
          );
          extra.expiry.unref();
        }
        return true;
      },
      onClose: (ctx) => {
        const extra = ctx.extra as Ctx;
        if (extra.expiry) clearTimeout(extra.expiry);
      },
      onSubscribe: (ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] => {
        const extra = ctx.extra as Ctx;
        const principal = extra.principal as Principal;
        try {
          const schema = options.gateway.realtime.schema;
          let document: DocumentNode;
          try {
            document = parse(payload.query);
          } catch (error) {
            return [publicError(error as GraphQLError)];
          }
          const validationErrors = validate(schema, document, rules);
          if (validationErrors.length) return validationErrors.map(publicError);
          const operation = getOperationAST(document, payload.operationName);
          if (!operation) throw bad('Unable to identify the operation');
          const raw = payload.variables ?? {};
          if (operation.operation !== 'subscription') {
            const contextValue: OperationContext = {
              kind: 'operation',
              authorization: extra.authorization,
              principal,
            };
            return {
              schema,
              document,
              operationName: payload.operationName,
              variableValues: raw,
              contextValue,
            };
          }
          if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerConnection) {
            throw new LimitReachedError(
              `At most ${limits.maxSubscriptionsPerConnection} subscriptions per connection`,
            );
          }
          const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], raw);
          if (coerced.errors) return coerced.errors.map(publicError);
          const fragments = fragmentsOf(document);
          const [field] = collectFields(operation.selectionSet, fragments, coerced.coerced);
          const channel = field && options.gateway.realtime.channels.get(field.name.value);
          const fieldDef = field && schema.getSubscriptionType()?.getFields()[field.name.value];
          if (!field || !channel || !fieldDef) throw bad('Unknown subscription field');
          const args = getArgumentValues(fieldDef, field, coerced.coerced);
          const scope = authorizeSubscription(principal, channel, args);
          const selection = compileSelection(schema, channel, operation, field, fragments, raw);
          const plan: SubscriptionPlan = {
            kind: 'subscription',
            selection,
            socket: extra.socket,
            ...scope,
            // A self-contained selection shows a member only their own data: resolve it with
            // operator rights so events of many members share queries.
            audience: selection.selfContained ? { role: 'admin' } : scope.audience,
          };
          return {
            schema,
            document,
            operationName: payload.operationName,
            variableValues: coerced.coerced,
            contextValue: plan,
          };
        } catch (error) {
          return asErrors(error).map(publicError);
        }
      },
      execute: async (args) => {
        const ctx = args.contextValue as OperationContext;
        const variables = (args.variableValues ?? {}) as Record<string, unknown>;
        const result = await execute(print(args.document), variables, ctx.authorization, ctx.principal);
        return {
          ...result,
          errors: result.errors?.map(
            (e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }),
          ),
        };
      },
      subscribe: (args) => {
        const plan = args.contextValue as SubscriptionPlan;
        subscriptions++;
        let remove: () => void = () => undefined;
        const stream = new SubscriptionStream({
          selection: plan.selection,
          resolver,
          audience: plan.audience,
          memberId: plan.memberId,
          afterSequence: plan.afterSequence,
          maxPending: limits.maxPending,
          onOverflow: (pending) => {
            slowClosed++;
            logger.warn(
              { memberId: plan.memberId, pending },
              'closing a subscriber that fell too far behind',
            );
            plan.socket.close(
              RealtimeClose.SlowConsumer,
              `SLOW_CONSUMER: ${pending} events behind; resume with afterSequence`,
            );
          },
          onEnd: () => {
            subscriptions--;
            remove();
          },
        });
        remove = hub.add(plan.selection.channel, plan.memberId, stream.onEvent);
        stream.start();
        return stream;
      },
    },
    wss,
    limits.keepAliveMs,
  );

  const onUpgrade = (req: import('node:http').IncomingMessage, socket: Duplex, head: Buffer) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nRetry-After: 5\r\nContent-Length: 0\r\n\r\n`);
    };
    if (pathname !== options.path) return refuse('404 Not Found');
    if (closing) return refuse('503 Service Unavailable');
    if (wss.clients.size >= limits.maxConnections) {
      logger.warn({ limit: limits.maxConnections }, 'WebSocket connection limit reached');
      return refuse('503 Service Unavailable');
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  options.httpServer.on('upgrade', onUpgrade);

  return {
    stats: () => ({
      connections: wss.clients.size,
      subscriptions,
      eventsReceived: hub.received,
      resolutionsRequested: resolver.stats.requested,
      resolutionsShared: resolver.stats.resolved,
      resolutionsExecuted: resolver.stats.executed,
      slowConsumersClosed: slowClosed,
    }),
    async close() {
      if (closing) return;
      closing = true;
      options.httpServer.off('upgrade', onUpgrade);
      await hub.stop();
      const open = [...wss.clients];
      const closed = Promise.all(
        open.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve()))),
      );
      // graphql-ws clients treat 1001 as retryable: they reconnect (to another replica) and resume.
      for (const ws of open) ws.close(RealtimeClose.GoingAway, 'Going away: gateway shutting down');
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 3_000).unref());
      await Promise.race([closed, timeout]);
      for (const ws of wss.clients) ws.terminate();
      await disposable.dispose();
    },
  };
}
