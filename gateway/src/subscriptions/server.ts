import type { Server as HttpServer } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { GraphQLError, specifiedRules, type ValidationRule } from 'graphql';
import type { ConnectionInitMessage } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import {
  ErrorCode,
  type Authenticator,
  type EventTransport,
  type Logger,
  type Principal,
  type TokenService,
} from '@loyalty/platform';
import type { GatewayContext } from '../context';
import {
  authenticateConnection,
  releaseConnection,
  stillAuthenticated,
  type ConnectionExtra,
  type ConnectionState,
} from './connection';
import { AudienceTokens, resolutionRunner, socketExecutor } from './execution';
import { EntityCache, INVALIDATIONS } from './entity-cache';
import { SupergraphIndex } from './entity-plan';
import { LivePayloads, planPayload, type EntityFetch, type PayloadPlan } from './live-payloads';
import { EventHub } from './hub';
import { DEFAULT_LIMITS, type RealtimeLimits } from './limits';
import { LiveSubscriptions, type RealtimeStats } from './live-subscriptions';
import { prepareOperation, type SubscriptionPlan } from './operation';
import { EventResolver, type BulkResolution } from './resolver';
import type { SubscriptionAwareGateway } from './schema';
import { acceptUpgrades, closeAllGoingAway } from './upgrade';

export interface RealtimeOptions {
  httpServer: HttpServer;
  path: string;
  gateway: SubscriptionAwareGateway;
  apollo: ApolloServer<GatewayContext>;
  transport: EventTransport;
  tokens: TokenService;
  authenticator: Authenticator;
  /** Spends the caller's request budget (rate limits); the seconds to wait when it is used up. */
  spendBudget?: (principal: Principal, address: string) => Promise<{ retryAfterSeconds: number } | null>;
  logger: Logger;
  production: boolean;
  /** Extra validation (depth, aliases, cost): the same limits as over HTTP. */
  validationRules: readonly ValidationRule[];
  limits?: Partial<RealtimeLimits>;
  /**
   * Bulk live payloads: entity fields fetched straight from the subgraphs with `_entities`,
   * planned on this supergraph (without it every payload is a gateway query).
   */
  entities?: { supergraphSdl: string; fetch: EntityFetch };
}

export type { RealtimeStats };

/** Live payloads resolved in bulk, with entity fields cached and invalidated by events. */
async function bulkResolution(options: RealtimeOptions): Promise<{
  bulk: BulkResolution;
  stop: () => Promise<void>;
} | null> {
  if (!options.entities) return null;
  const index = new SupergraphIndex(options.entities.supergraphSdl);
  const cache = new EntityCache();
  const payloads = new LivePayloads(options.entities.fetch, cache);
  const audiences = new AudienceTokens(options.tokens);
  // Selections are few (clients share them); the bound is for a client inventing new ones.
  const plans = new Map<string, PayloadPlan | null>();
  const stops = await Promise.all(
    [...new Set(INVALIDATIONS.map((r) => r.topic))].map((topic) =>
      options.transport.listen(topic, (event) => cache.onEvent(event)),
    ),
  );
  return {
    bulk: {
      payloads,
      authorization: async (audience) => (await audiences.for(audience)).authorization,
      plan(selection) {
        let plan = plans.get(selection.key);
        if (plan === undefined) {
          if (plans.size >= 10_000) plans.clear();
          plan = planPayload(
            index,
            selection.channel,
            selection.responseKey,
            selection.fields,
            selection.fragments,
          );
          plans.set(selection.key, plan);
        }
        return plan;
      },
    },
    stop: async () => {
      await Promise.all(stops.map((s) => s()));
    },
  };
}

export interface RealtimeServer {
  stats(): RealtimeStats;
  /** Completes every subscription and closes every connection with 1001, then stops listening. */
  close(): Promise<void>;
}

/**
 * graphql-ws on the gateway's own port and path. The schema is the gateway's API schema plus
 * `Subscription`; every subscription field is an event channel whose events are resolved through
 * the in-process gateway (see {@link EventResolver}); queries and mutations sent over the socket
 * run through the gateway like HTTP ones.
 */
export async function startRealtime(options: RealtimeOptions): Promise<RealtimeServer> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const { logger, gateway } = options;
  const hub = new EventHub(options.transport);
  await hub.start(gateway.realtime.channels.values());
  const bulk = await bulkResolution(options);
  const resolver = new EventResolver(
    resolutionRunner(gateway, options.tokens, logger),
    limits.maxResolutionsInFlight,
    bulk?.bulk ?? null,
  );
  const live = new LiveSubscriptions(hub, resolver, limits, logger);
  const rules = [...specifiedRules, ...options.validationRules];
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  const disposable = useServer<ConnectionInitMessage['payload'], ConnectionState>(
    {
      isProd: options.production,
      connectionInitWaitTimeout: limits.connectionInitTimeoutMs,
      schema: () => gateway.realtime.schema,
      onConnect: (ctx) =>
        authenticateConnection(options.authenticator, ctx.extra as ConnectionExtra, ctx.connectionParams),
      onClose: (ctx) => releaseConnection(ctx.extra as ConnectionExtra),
      onSubscribe: async (ctx, _id, payload) => {
        const extra = ctx.extra as ConnectionExtra;
        if (!(await stillAuthenticated(options.authenticator, extra)))
          return [new GraphQLError('API key revoked', { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
        // Operations over a socket spend the same budget as over HTTP.
        const over = await options.spendBudget?.(
          extra.principal as Principal,
          extra.request.socket.remoteAddress ?? 'unknown',
        );
        if (over)
          return [
            new GraphQLError(`Rate limit reached; retry after ${over.retryAfterSeconds} s`, {
              extensions: { code: ErrorCode.LIMIT_REACHED, retryAfterSeconds: over.retryAfterSeconds },
            }),
          ];
        return prepareOperation(gateway.realtime, rules, limits.maxSubscriptionsPerConnection, payload, {
          principal: extra.principal as Principal,
          authorization: extra.authorization,
          socket: extra.socket,
          subscriptions: Object.keys(ctx.subscriptions).length,
          language: extra.language,
        });
      },
      execute: socketExecutor(options.apollo),
      subscribe: (args) => live.open(args.contextValue as SubscriptionPlan),
    },
    wss,
    limits.keepAliveMs,
  );
  let closing = false;
  const stopUpgrades = acceptUpgrades(options.httpServer, wss, {
    path: options.path,
    maxConnections: limits.maxConnections,
    logger,
    closing: () => closing,
  });
  return {
    stats: () => ({
      ...live.stats(wss.clients.size),
      payloadBatches: bulk?.bulk.payloads.stats.batches ?? 0,
      entityFetches: bulk?.bulk.payloads.stats.entityFetches ?? 0,
      entityCache: bulk ? { size: bulk.bulk.payloads.cache.size, ...bulk.bulk.payloads.cache.stats } : null,
    }),
    async close() {
      if (closing) return;
      closing = true;
      stopUpgrades();
      await hub.stop();
      await bulk?.stop();
      await closeAllGoingAway(wss);
      await disposable.dispose();
    },
  };
}
