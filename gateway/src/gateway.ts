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
  listen,
  loadConfig,
  Metrics,
  PeerDirectory,
  TokenService,
  type EventTransport,
  type Logger,
  type PlatformConfig,
} from '@loyalty/platform';
import { AuthForwardingDataSource } from './auth-forwarding-data-source';
import type { GatewayContext } from './context';
import { withWebApps } from './http/web-apps';
import { createArmor } from './limits';
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
function federatedGateway(peers: PeerDirectory, logger: Logger, supergraphSdl: string): ApolloGateway {
  return new ApolloGateway({
    supergraphSdl,
    // Node's own fetch (undici, pooled keep-alive) instead of the default make-fetch-happen, which
    // spent a sixth of the gateway's CPU per subgraph call in the realtime benchmark.
    buildService: ({ name }) =>
      new AuthForwardingDataSource({ url: peers.url(name as never), fetcher: fetch as never }),
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (m) => logger.warn(m),
      error: (m) => logger.error(m),
    },
  });
}

/** Per-request context: the caller's header, verified here too, and a request id. */
function requestContext(tokens: TokenService) {
  return async (req: IncomingMessage): Promise<GatewayContext> => {
    const authorization = req.headers.authorization;
    return {
      authorization,
      principal: tokens.fromHeader(authorization),
      requestId: (req.headers['x-request-id'] as string | undefined) ?? randomUUID(),
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
    armor: ReturnType<typeof createArmor>;
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
    validationRules: [...o.armor.validationRules],
    plugins: [
      ...o.armor.plugins,
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
  const tokens = new TokenService(config.env.AUTH_JWT_SECRET);
  const gateway = federatedGateway(peers, logger, options.supergraphSdl ?? readSupergraph());
  // Apollo Server sees the API schema plus `Subscription` (HTTP introspection shows it too).
  const realtimeGateway = new SubscriptionAwareGateway(gateway);
  // Live events: the all-in-one process shares its transport; a standalone gateway opens its own
  // (Redis pub/sub when REDIS_URL is set, so every replica sees every event).
  const ownTransport = options.transport ? null : createTransport(config, logger);
  const transport = options.transport ?? (ownTransport as EventTransport);
  const metrics = new Metrics('gateway', true);
  const httpServer = createServer();
  const armor = createArmor(config.production);
  const apollo = apolloServer(realtimeGateway, { httpServer, config, logger, metrics, armor });
  await apollo.start();
  const graphql = createRequestHandler<GatewayContext>({
    apollo,
    context: requestContext(tokens),
    metrics,
    logger,
    ready: () => subgraphsReady(peers),
  });
  const handle = options.webAppsDir ? withWebApps(options.webAppsDir, graphql) : graphql;
  httpServer.on('request', (req, res) => void handle(req, res));
  const realtime = await startRealtime({
    httpServer,
    path: '/graphql',
    gateway: realtimeGateway,
    apollo,
    transport,
    tokens,
    logger,
    production: config.production,
    validationRules: armor.validationRules,
    limits: options.realtime,
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
    // Subscriptions first (1001 to every client), then in-flight HTTP requests drain.
    stop: () =>
      (stopping ??= (async () => {
        await realtime.close();
        await apollo.stop();
        await ownTransport?.close();
      })()),
  };
}
