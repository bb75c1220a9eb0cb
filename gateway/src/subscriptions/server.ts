import type { Server as HttpServer } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { specifiedRules, type ValidationRule } from 'graphql';
import type { ConnectionInitMessage } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { EventTransport, Logger, Principal, TokenService } from '@loyalty/platform';
import type { GatewayContext } from '../context';
import {
  authenticateConnection,
  releaseConnection,
  type ConnectionExtra,
  type ConnectionState,
} from './connection';
import { resolutionRunner, socketExecutor } from './execution';
import { EventHub } from './hub';
import { DEFAULT_LIMITS, type RealtimeLimits } from './limits';
import { LiveSubscriptions, type RealtimeStats } from './live-subscriptions';
import { prepareOperation, type SubscriptionPlan } from './operation';
import { EventResolver } from './resolver';
import type { SubscriptionAwareGateway } from './schema';
import { acceptUpgrades, closeAllGoingAway } from './upgrade';

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

export type { RealtimeStats };

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
  const resolver = new EventResolver(
    resolutionRunner(gateway, options.tokens, logger),
    limits.maxResolutionsInFlight,
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
        authenticateConnection(options.tokens, ctx.extra as ConnectionExtra, ctx.connectionParams),
      onClose: (ctx) => releaseConnection(ctx.extra as ConnectionExtra),
      onSubscribe: (ctx, _id, payload) => {
        const extra = ctx.extra as ConnectionExtra;
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
    stats: () => live.stats(wss.clients.size),
    async close() {
      if (closing) return;
      closing = true;
      stopUpgrades();
      await hub.stop();
      await closeAllGoingAway(wss);
      await disposable.dispose();
    },
  };
}
