import type { EventPayloads, Topic } from './registry';

/**
 * An integration event as it travels between services. `id` is unique per event and is what
 * consumers de-duplicate on (delivery is at least once). Narrow a union of topics with
 * `event.topic === Topics.x` to get that topic's payload type.
 */
export type EventEnvelope<T extends Topic = Topic> = {
  [K in T]: {
    id: string;
    topic: K;
    /** The aggregate the event is about (e.g. a member id): consumers may partition on it. */
    key: string;
    payload: EventPayloads[K];
    occurredAt: string;
    /** The service whose outbox wrote it. */
    source: string;
  };
}[T];

/** An event to publish: what happened, to which aggregate, with what data. */
export type NewEvent<T extends Topic = Topic> = {
  [K in T]: { topic: K; key: string; payload: EventPayloads[K] };
}[T];
