import type { EventEnvelope } from './event';
import type { Topic } from './registry';

/** An event a durable consumer could not take: it is delivered again later. */
export interface DeliveryFailure {
  event: EventEnvelope;
  error: unknown;
}

/**
 * Takes events for a durable consumer, in delivery order, and resolves with those that failed
 * (every other one has had its effect). Transports hand over what they have at once (a relay's
 * drain, a Streams read) so that a consumer can take several events in one transaction.
 */
export type EventHandler = (events: readonly EventEnvelope[]) => Promise<readonly DeliveryFailure[]>;

/** Receives live events of one topic (best effort, for realtime fan-out). */
export type EventListener<T extends Topic = Topic> = (event: EventEnvelope<T>) => void;

/**
 * How events move between processes. In-process when the whole graph runs in one process (a
 * worker thread of it, the gateway's, reaches that transport over a MessagePort: `port`);
 * Redis (Streams for durable consumers, pub/sub for live fan-out) otherwise. Code above the
 * transport is the same for all.
 */
export interface EventTransport {
  readonly kind: 'in-process' | 'redis' | 'port';
  /** Resolves once every event is durably handed over (or, in-process, handled). */
  publish(events: EventEnvelope[]): Promise<void>;
  /** A durable consumer group: each event reaches one member of the group at least once. */
  consume(group: string, topics: Topic[], handler: EventHandler): Promise<() => Promise<void>>;
  /** Live listener on this process: sees events published from now on, on any process. */
  listen<T extends Topic>(topic: T, listener: EventListener<T>): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
