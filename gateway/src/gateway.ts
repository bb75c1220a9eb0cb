import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  createErrorFormatter,
  createLogger,
  createRequestHandler,
  createServer,
  createTransport,
  graphqlLimits,
  listen,
  loadConfig,
  Metrics,
  PeerDirectory,
  Authenticator,
  durationMs,
  requireDuration,
  TokenService,
  ApiKeyResolver,
  remoteApiKeyLookup,
  ServiceClient,
  type BearerResolver,
  type EventTransport,
  type GraphqlLimits,
  type Logger,
  type PlatformConfig,
  type Principal,
  type ServiceName,
} from '@loyalty/platform';
import { AuthForwardingDataSource, type SubgraphFetchStats } from './auth-forwarding-data-source';
import { DOWNLOADS, downloadProxy } from './downloads';
import type { GatewayContext } from './context';
import { loadGatewayConfig } from './config';
import { withCors } from './http/cors';
import { budgetOf, GatewayRateLimiter, loadRateLimitSettings, rateLimited } from './http/rate-limit';
import { withWebApps } from './http/web-apps';
import { readSupergraph } from './supergraph';
import { SubscriptionAwareGateway } from './subscriptions/schema';
import type { RealtimeLimits } from './subscriptions/limits';
import { startRealtime, type RealtimeServer } from './subscriptions/server';

export interface GatewayOptions {
  port?: number;
  host?: string;
  config?: PlatformConfig;
  peers?: PeerDirectory;
  /** Live events for subscriptions (shared with the services in the all-in-one process). */
  transport?: EventTransport;
  supergraphSdl?: string;
  /** WebSocket limits (connections, subscriptions, buffers, keep-alive). */
  realtime?: Partial<RealtimeLimits>;
  /** Resolvers of opaque bearer secrets (e.g. partner API keys), tried before JWTs. */
  bearerResolvers?: BearerResolver[];
  /** Folder of the built web apps (wallet, console, explorer) to serve on this port, if any. */
  webAppsDir?: string;
}

export interface RunningGateway {
  url: string;
  port: number;
  httpServer: Server;
  gateway: ApolloGateway;
  /** graphql-ws subscriptions on the same port and path. */
  realtime: RealtimeServer;
  transport: EventTransport;
  logger: Logger;
  /** Subgraph fetches asked for and sent, per subgraph (deduplication at work). */
  subgraphStats(): Record<string, SubgraphFetchStats>;
  stop(): Promise<void>;
}

/** Readiness: every subgraph answers its own `/health/ready`. */
async function subgraphsReady(peers: PeerDirectory): Promise<boolean> {
  const results = await Promise.all(
    peers.entries().map(async ([, url]) => {
      try {
        const res = await fetch(url.replace(/\/graphql$/, '/health/ready'), {
          signal: AbortSignal.timeout(2000),
        });
        return res.ok;
      } catch {
        return false;
      }
    }),
  );
  return results.every(Boolean);
}

/**
 * The federated executor on a static supergraph. Its URLs are defaults; the peer directory knows
 * where subgraphs really are.
 */
function federatedGateway(
  peers: PeerDirectory,
  logger: Logger,
  supergraphSdl: string,
  o: { tokens: TokenService; sources: Map<string, AuthForwardingDataSource> },
): ApolloGateway {
  // The gateway's own service token, renewed well within its lifetime (signing per fetch is waste).
  let vouching: { token: Promise<string>; until: number } = { token: Promise.resolve(''), until: 0 };
  const vouch = () => {
    if (Date.now() >= vouching.until) {
      vouching = { token: o.tokens.signService('gateway'), until: Date.now() + 60_000 };
      // A failed signing is not cached: the next fetch signs again.
      vouching.token.catch(() => (vouching.until = 0));
    }
    return vouching.token;
  };
  return new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => {
      const service = name as ServiceName;
      const source = new AuthForwardingDataSource({
        name,
        url: peers.url(service),
        vouch,
        local: () => peers.local(service),
      });
      o.sources.set(name, source);
      return source;
    },
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (m) => logger.warn(m),
      error: (m) => logger.error(m),
    },
  });
}

const authenticated = new WeakMap<IncomingMessage, Promise<Principal | null>>();

/** The request's caller, verified once however many layers ask (rate limits, then the context). */
function authenticateOnce(req: IncomingMessage, authenticator: Authenticator): Promise<Principal | null> {
  let principal = authenticated.get(req);
  if (!principal) {
    principal = authenticator.authenticate(req.headers.authorization);
    authenticated.set(req, principal);
  }
  return principal;
}

/** Per-request context: the caller's header, verified here too, and a request id. */
function requestContext(authenticator: Authenticator) {
  return async (req: IncomingMessage): Promise<GatewayContext> => {
    const authorization = req.headers.authorization;
    return {
      authorization,
      principal: await authenticateOnce(req, authenticator),
      requestId: (req.headers['x-request-id'] as string | undefined) ?? randomUUID(),
      clientAddress: req.socket.remoteAddress,
      acceptLanguage: req.headers['accept-language'],
    };
  };
}

/** Apollo Server over the gateway: masked errors, request limits, drain on stop, metrics. */
function apolloServer(
  gateway: SubscriptionAwareGateway,
  o: {
    httpServer: Server;
    config: PlatformConfig;
    logger: Logger;
    metrics: Metrics;
    limits: GraphqlLimits;
  },
): ApolloServer<GatewayContext> {
  return new ApolloServer<GatewayContext>({
    gateway,
    formatError: createErrorFormatter(o.logger),
    includeStacktraceInErrorResponses: false,
    // runMain owns the signals: Apollo's own handler re-raises SIGTERM after stopping, which
    // would turn a graceful drain into a forced exit with code 1.
    stopOnTerminationSignals: false,
    introspection: !o.config.production,
    allowBatchedHttpRequests: false,
    // Limits and unknown operation names are the caller's mistakes: HTTP 400, BAD_USER_INPUT.
    parseOptions: o.limits.parseOptions,
    validationRules: o.limits.validationRules,
    plugins: [
      ...o.limits.plugins,
      ApolloServerPluginDrainHttpServer({ httpServer: o.httpServer }),
      o.metrics.plugin(),
    ],
  });
}

/**
 * Starts the Apollo Gateway on a static supergraph, with the caller's token forwarded to every
 * subgraph, request limits, masked errors, health and metrics.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const config = options.config ?? loadConfig();
  const logger = createLogger('gateway', config.env.LOG_LEVEL);
  const peers = options.peers ?? PeerDirectory.fromConfig(config);
  const tokens = TokenService.fromConfig(config);
  const authenticator = Authenticator.fromConfig(config, tokens, options.bearerResolvers);
  const sources = new Map<string, AuthForwardingDataSource>();
  const supergraphSdl = options.supergraphSdl ?? readSupergraph();
  const gateway = federatedGateway(peers, logger, supergraphSdl, { tokens, sources });
  // Apollo Server sees the API schema plus `Subscription` (HTTP introspection shows it too).
  const realtimeGateway = new SubscriptionAwareGateway(gateway);
  // Live events: the all-in-one process shares its transport; a standalone gateway opens its own
  // (Redis pub/sub when REDIS_URL is set, so every replica sees every event).
  const ownTransport = options.transport ? null : createTransport(config, logger);
  const transport = options.transport ?? (ownTransport as EventTransport);
  // Partner API keys are verified here too (so a bad one fails fast); members owns them.
  const apiKeys = new ApiKeyResolver(
    remoteApiKeyLookup(new ServiceClient('members', 'gateway', peers, tokens, logger)),
    { ttlMs: durationMs(requireDuration(config.env.API_KEY_CACHE_TTL)) },
  );
  const stopApiKeys = await apiKeys.listen(transport);
  authenticator.use(apiKeys);
  const metrics = new Metrics('gateway', true);
  const httpServer = createServer();
  const limits = graphqlLimits(config.production);
  const apollo = apolloServer(realtimeGateway, { httpServer, config, logger, metrics, limits });
  await apollo.start();
  // Budgets per partner key and per anonymous client, shared by replicas through Redis.
  const rateLimiter = new GatewayRateLimiter(loadRateLimitSettings(config), {
    redisUrl: config.env.REDIS_URL,
    redisPrefix: config.env.REDIS_PREFIX,
    logger,
  });
  // CORS first (a preflight spends no budget), then the rate limits, then GraphQL.
  const api = withCors(
    loadGatewayConfig(config).cors,
    rateLimited(
      rateLimiter,
      (req) => authenticateOnce(req, authenticator),
      createRequestHandler<GatewayContext>({
        apollo,
        context: requestContext(authenticator),
        metrics,
        metricsToken: config.env.METRICS_TOKEN,
        logger,
        routes: Object.fromEntries(
          Object.entries(DOWNLOADS).map(([path, service]) => [
            path,
            downloadProxy(peers, logger, path, service),
          ]),
        ),
        ready: () => subgraphsReady(peers),
      }),
      logger,
    ),
  );
  // The web apps' pages and assets come first: a page load is many requests, none of them GraphQL.
  const handle = options.webAppsDir ? withWebApps(options.webAppsDir, api) : api;
  httpServer.on('request', (req, res) => void handle(req, res));
  const realtime = await startRealtime({
    httpServer,
    path: '/graphql',
    gateway: realtimeGateway,
    apollo,
    transport,
    tokens,
    authenticator,
    spendBudget: (principal, address) => rateLimiter.consume(budgetOf(principal, address)),
    logger,
    production: config.production,
    validationRules: limits.validationRules,
    limits: options.realtime,
    entities: {
      supergraphSdl,
      fetch: async (graph, query, variables, authorization) => {
        const source = sources.get(graph);
        if (!source) throw new Error(`no subgraph ${graph}`);
        return source.fetch(query, variables, { authorization, fresh: true });
      },
    },
  });
  const port = await listen(
    httpServer,
    options.port ?? config.env.GATEWAY_PORT,
    options.host ?? config.env.HOST,
  );
  const url = `http://127.0.0.1:${port}/graphql`;
  logger.info({ url }, 'gateway ready');
  let stopping: Promise<void> | null = null;
  return {
    url,
    port,
    httpServer,
    gateway,
    realtime,
    transport,
    logger,
    subgraphStats: () => Object.fromEntries([...sources].map(([name, s]) => [name, { ...s.stats }])),
    // Subscriptions first (1001 to every client), then in-flight HTTP requests drain.
    stop: () =>
      (stopping ??= (async () => {
        await realtime.close();
        await apollo.stop();
        await stopApiKeys();
        await rateLimiter.close();
        await Promise.all([...sources.values()].map((s) => s.close()));
        await ownTransport?.close();
      })()),
  };
}
