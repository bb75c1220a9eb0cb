import type { Logger } from '@loyalty/platform';
import type { EventHub } from './hub';
import { RealtimeClose, type RealtimeLimits } from './limits';
import type { SubscriptionPlan } from './operation';
import type { EventResolver } from './resolver';
import { SubscriptionStream } from './stream';

/** Counters of the realtime server (metrics, benchmarks, tests). */
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
  /** Bulk live payload batches, and the `_entities` fetches they sent. */
  payloadBatches?: number;
  entityFetches?: number;
  /** Cached entities, with hits, misses and invalidations. */
  entityCache?: { size: number; hits: number; misses: number; invalidations: number } | null;
}

/**
 * graphql-ws `subscribe`: turns a {@link SubscriptionPlan} into a live stream routed by the hub,
 * cutting off subscribers that fall too far behind, and counts what is open.
 */
export class LiveSubscriptions {
  /** Subscriptions open now. */
  active = 0;
  /** Subscribers closed for falling too far behind. */
  slowClosed = 0;

  constructor(
    private readonly hub: EventHub,
    private readonly resolver: EventResolver,
    private readonly limits: Pick<RealtimeLimits, 'maxPending'>,
    private readonly logger: Logger,
  ) {}

  open(plan: SubscriptionPlan): SubscriptionStream {
    this.active++;
    let remove: () => void = () => undefined;
    const stream = new SubscriptionStream({
      selection: plan.selection,
      resolver: this.resolver,
      audience: plan.audience,
      memberId: plan.memberId,
      afterSequence: plan.afterSequence,
      maxPending: this.limits.maxPending,
      onOverflow: (pending) => this.closeSlow(plan, pending),
      onEnd: () => {
        this.active--;
        remove();
      },
    });
    remove = this.hub.add(plan.selection.channel, plan.memberId, stream.onEvent);
    stream.start();
    return stream;
  }

  private closeSlow(plan: SubscriptionPlan, pending: number): void {
    this.slowClosed++;
    this.logger.warn({ memberId: plan.memberId, pending }, 'closing a subscriber that fell too far behind');
    plan.socket.close(
      RealtimeClose.SlowConsumer,
      `SLOW_CONSUMER: ${pending} events behind; resume with afterSequence`,
    );
  }

  /** The counters, with the connections the WebSocket server holds. */
  stats(connections: number): RealtimeStats {
    return {
      connections,
      subscriptions: this.active,
      eventsReceived: this.hub.received,
      resolutionsRequested: this.resolver.stats.requested,
      resolutionsShared: this.resolver.stats.resolved,
      resolutionsExecuted: this.resolver.stats.executed,
      slowConsumersClosed: this.slowClosed,
    };
  }
}
