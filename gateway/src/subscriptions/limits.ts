import { CloseCode } from 'graphql-ws';

/** Close codes (graphql-ws conventions; 1001 and 1013 are retried by graphql-ws clients). */
export const RealtimeClose = {
  /** Missing, malformed, invalid or expired token. Fatal for graphql-ws clients. */
  Unauthenticated: CloseCode.Unauthorized,
  /** The gateway is shutting down: reconnect (to another replica) and resume. */
  GoingAway: 1001,
  /** The client fell too far behind: reconnect and resume with `afterSequence`. */
  SlowConsumer: 1013,
} as const;

/** What one gateway process accepts over WebSocket. */
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

/** The limits unless the caller overrides them. */
export const DEFAULT_LIMITS: RealtimeLimits = {
  maxConnections: 20_000,
  maxSubscriptionsPerConnection: 20,
  maxPending: 1_000,
  keepAliveMs: 12_000,
  connectionInitTimeoutMs: 5_000,
  maxResolutionsInFlight: 8,
};
