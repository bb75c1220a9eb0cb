/**
 * @packageDocumentation
 * The Apollo Gateway in front of the five subgraphs (static supergraph).
 */
export * from './gateway';
export * from './supergraph';
export type { GatewayContext } from './context';
export * from './compose';
export * from './subscriptions/server';
export * from './subscriptions/limits';
export { authorizeSubscription, type SubscriptionScope } from './subscriptions/subscription.policy';
export { CHANNELS, type Channel } from './subscriptions/channels';
export { SubscriptionAwareGateway, extendWithSubscriptions } from './subscriptions/schema';
export type { SubgraphFetchStats } from './auth-forwarding-data-source';
