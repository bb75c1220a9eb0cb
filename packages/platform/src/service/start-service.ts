import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import type { Logger } from 'pino';
import { loadConfig, type PlatformConfig, type ServiceName } from '../config';
import { TokenService } from '../auth/jwt';
import { Authenticator, type BearerResolver } from '../auth/authenticator';
import { ApiKeyResolver, type ApiKeyLookup } from '../auth/api-key';
import { remoteApiKeyLookup } from '../auth/api-key-lookup';
import { openDatabase, type Database } from '../db/data-source';
import { CreatePlatformTables1700000000000 } from '../db/platform-migration';
import { Transactor } from '../db/transactor';
import { createErrorFormatter } from '../errors/format-error';
import { InboxEventRow } from '../events/inbox.entity';
import { InProcessTransport } from '../events/in-process-transport';
import { OutboxEventRow } from '../events/outbox.entity';
import { RedisTransport } from '../events/redis-transport';
import { OutboxRelay } from '../events/relay';
import type { EventTransport } from '../events/transport';
import type { Topic } from '../events/registry';
import { registerConsumer, type ConsumerSpec } from '../events/consumer';
import { buildSubgraph, type SubgraphSchemaSpec } from '../graphql/subgraph-schema';
import { executionTimeout, graphqlLimits } from '../graphql/limits';
import { checkSubgraphRequest, identifySubgraphCaller, type SubgraphCaller } from '../graphql/subgraph-door';
import { AppError } from '../errors/errors';
import {
  createLocalHandler,
  createRequestHandler,
  createServer,
  listen,
  type HttpServerOptions,
  type RequestHead,
} from '../http/http-server';
import { Metrics } from '../http/metrics';
import { createLogger } from '../logging/logger';
import { durationMs, requireDuration } from '../time/duration';
import type { BaseContext } from './context';
import { PeerDirectory } from './peers';
import { ServiceClient } from './service-client';

/** Everything a service's own code gets from the platform. */
export interface ServiceRuntime {
  name: ServiceName;
  config: PlatformConfig;
  logger: Logger;
  db: Database;
  transactor: Transactor;
  transport: EventTransport;
  tokens: TokenService;
  /** Turns a request's `Authorization` header into a principal; `use` adds a bearer resolver. */
  authenticator: Authenticator;
  peers: PeerDirectory;
  /** A client for another subgraph's internal API, authenticated as this service. */
  client(service: ServiceName): ServiceClient;
  /** Registers an idempotent durable consumer; it is stopped with the service. */
  consume<T extends Topic>(spec: ConsumerSpec<T>): Promise<void>;
}

/** A plain HTTP endpoint of a service, given the caller as GraphQL resolvers see it. */
export type ServiceRoute = (req: IncomingMessage, res: ServerResponse, caller: BaseContext) => Promise<void>;

/** Background work a service runs while it is up (sweepers, schedulers). */
export interface ServiceApp {
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
  ready?(): Promise<boolean>;
  /** Endpoints next to `/graphql` by exact path (e.g. streamed downloads). */
  routes?: Readonly<Record<string, ServiceRoute>>;
}

/** A service: its tables, its schema, and how it builds its application and request context. */
export interface ServiceDefinition<App extends ServiceApp, Ctx extends BaseContext> {
  name: ServiceName;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  createApp(runtime: ServiceRuntime): Promise<App> | App;
  schema: SubgraphSchemaSpec<Ctx>;
  /** Adds the application object and per-request DataLoaders to the base context. */
  context(base: BaseContext, app: App): Ctx;
  /** Apollo Server plugins of the service's own (e.g. response extensions for the gateway). */
  plugins?: ApolloServerPlugin<Ctx>[];
  /** The owner of partner API keys looks them up itself; every other service asks it. */
  apiKeyLookup?(app: App): ApiKeyLookup;
}

export interface StartOptions {
  /** 0 picks a free port (tests). Default: the configured port of this service. */
  port?: number;
  host?: string;
  config?: PlatformConfig;
  /** Shared by every service of one process (all-in-one); otherwise Redis or in-process. */
  transport?: EventTransport;
  peers?: PeerDirectory;
  /** Resolvers of opaque bearer secrets (e.g. partner API keys), tried before JWTs. */
  bearerResolvers?: BearerResolver[];
}

export interface RunningService<App> {
  name: ServiceName;
  url: string;
  port: number;
  app: App;
  runtime: ServiceRuntime;
  relay: OutboxRelay;
  /** Its Prometheus metrics (served at `/metrics`). */
  metrics: Metrics;
  /** Graceful: stops taking requests, finishes in-flight ones, then closes resources. */
  stop(): Promise<void>;
}

/** The first `x-forwarded-for` entry (set by the gateway), else the socket's peer address. */
function clientAddressOf(req: RequestHead): string | undefined {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first || req.socket?.remoteAddress;
}

/** Creates the event transport the configuration asks for. */
export function createTransport(config: PlatformConfig, logger: Logger): EventTransport {
  return config.env.REDIS_URL
    ? new RedisTransport(config.env.REDIS_URL, config.env.REDIS_PREFIX, logger)
    : new InProcessTransport();
}

/** Starts one subgraph: database and migrations, schema, HTTP server, outbox relay, app. */
export async function startService<App extends ServiceApp, Ctx extends BaseContext>(
  def: ServiceDefinition<App, Ctx>,
  options: StartOptions = {},
): Promise<RunningService<App>> {
  const config = options.config ?? loadConfig();
  const logger = createLogger(def.name, config.env.LOG_LEVEL);
  const db = await openDatabase({
    target: config.database(def.name),
    entities: [...def.entities, OutboxEventRow, InboxEventRow],
    migrations: [CreatePlatformTables1700000000000, ...def.migrations],
    logger,
  });
  const transactor = new Transactor(db);
  const ownTransport = !options.transport;
  const transport = options.transport ?? createTransport(config, logger);
  const peers = options.peers ?? PeerDirectory.fromConfig(config);
  const tokens = TokenService.fromConfig(config);
  const authenticator = Authenticator.fromConfig(config, tokens, options.bearerResolvers);
  const consumers: (() => Promise<void>)[] = [];
  const metrics = new Metrics(def.name, false);
  const runtime: ServiceRuntime = {
    name: def.name,
    config,
    logger,
    db,
    transactor,
    transport,
    tokens,
    authenticator,
    peers,
    client: (service) => new ServiceClient(service, def.name, peers, tokens, logger),
    consume: async (spec) => {
      consumers.push(await registerConsumer(transport, transactor, logger, spec, metrics.events));
    },
  };
  const app = await def.createApp(runtime);
  const apiKeys = new ApiKeyResolver(
    def.apiKeyLookup?.(app) ?? remoteApiKeyLookup(runtime.client('members')),
    {
      ttlMs: durationMs(requireDuration(config.env.API_KEY_CACHE_TTL)),
    },
  );
  const stopApiKeys = await apiKeys.listen(transport);
  authenticator.use(apiKeys);
  const { schema, cacheHints } = await buildSubgraph(def.schema);
  const httpServer = createServer();
  const limits = graphqlLimits(config.production);
  const apollo = new ApolloServer<Ctx>({
    schema,
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    // runMain owns the signals: Apollo's own handler re-raises SIGTERM after stopping, which
    // would turn a graceful drain into a forced exit with code 1.
    stopOnTerminationSignals: false,
    introspection: !config.production,
    // A hash-only request would skip the door's checks of the query text.
    persistedQueries: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      // Cache hints are computed per resolved field (3 % of a subgraph's CPU on the dashboard
      // benchmark): only where the schema gives some, for the gateway to reuse public answers.
      // Only a cacheable answer gets a header; the gateway reads no other.
      cacheHints
        ? ApolloServerPluginCacheControl({ calculateHttpHeaders: 'if-cacheable' })
        : ApolloServerPluginCacheControlDisabled(),
      metrics.plugin(),
      ...limits.plugins,
      executionTimeout(durationMs(requireDuration(config.env.GRAPHQL_EXECUTION_TIMEOUT))),
      ...(def.plugins ?? []),
    ],
  });
  await apollo.start();
  // The door and the context both need the caller: verified once per request.
  const callers = new WeakMap<RequestHead, Promise<SubgraphCaller>>();
  const callerOf = (req: RequestHead): Promise<SubgraphCaller> => {
    let caller = callers.get(req);
    if (!caller) {
      caller = identifySubgraphCaller(authenticator, req.headers);
      callers.set(req, caller);
    }
    return caller;
  };
  const baseContextOf = async (req: RequestHead): Promise<BaseContext> => {
    const { principal, internal } = await callerOf(req);
    const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
    const clientAddress = clientAddressOf(req);
    const acceptLanguage = req.headers['accept-language'];
    return {
      principal,
      internal,
      requestId,
      logger: logger.child({ requestId }),
      clientAddress,
      acceptLanguage,
    };
  };
  const contextFor = async (req: RequestHead): Promise<Ctx> => def.context(await baseContextOf(req), app);
  const admit = async (req: RequestHead, query: unknown) => {
    try {
      return checkSubgraphRequest(schema, limits, await callerOf(req), query);
    } catch (error) {
      if (error instanceof AppError) return { status: 401, error };
      throw error;
    }
  };
  const endpoint: HttpServerOptions<Ctx> = {
    apollo,
    context: contextFor,
    admit,
    metrics,
    metricsToken: config.env.METRICS_TOKEN,
    logger,
    routes: Object.fromEntries(
      Object.entries(app.routes ?? {}).map(([path, route]) => [
        path,
        async (req: IncomingMessage, res: ServerResponse) => route(req, res, await baseContextOf(req)),
      ]),
    ),
    ready: async () => {
      await db.dataSource.query('SELECT 1');
      return app.ready ? app.ready() : true;
    },
  };
  httpServer.on('request', createRequestHandler<Ctx>(endpoint));
  const relay = new OutboxRelay(db, transactor, transport, logger, {
    source: def.name,
    pollIntervalMs: durationMs(requireDuration(config.env.OUTBOX_POLL_INTERVAL)),
  });
  relay.start();
  await app.start?.();
  const port = await listen(
    httpServer,
    options.port ?? config.servicePort(def.name),
    options.host ?? config.env.SUBGRAPH_HOST,
  );
  const url = `http://127.0.0.1:${port}/graphql`;
  // The gateway and services of this process reach it without HTTP (see LocalLinks).
  const unserve = peers.links?.serve(def.name, createLocalHandler(endpoint));
  if (unserve) peers.setLocal(def.name, url);
  else if (options.port === 0 || options.peers) peers.set(def.name, url);
  logger.info({ url }, `${def.name} subgraph ready`);
  let stopping: Promise<void> | null = null;
  return {
    name: def.name,
    url,
    port,
    app,
    runtime,
    relay,
    metrics,
    stop: () =>
      (stopping ??= (async () => {
        unserve?.();
        await apollo.stop();
        await app.stop?.();
        await stopApiKeys();
        await Promise.all(consumers.map((c) => c()));
        await relay.stop();
        if (ownTransport) await transport.close();
        await db.dataSource.destroy();
      })()),
  };
}
