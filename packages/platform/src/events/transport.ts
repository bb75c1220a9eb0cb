import type { EventEnvelope } from './event';
import type { Topic } from './registry';

/** Handles one event for a durable consumer; throwing means "deliver again later". */
export type EventHandler = (event: EventEnvelope) => Promise<void>;

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
