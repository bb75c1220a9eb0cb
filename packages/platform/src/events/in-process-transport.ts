import type { EventEnvelope } from './event';
import type { Topic } from './registry';
import type { EventHandler, EventListener, EventTransport } from './transport';

/**
 * Transport for the all-in-one process: publishing hands each consumer group the events of its
 * topics, all at once, and waits for it, so an event a handler fails leaves the drain unpublished
 * in the outbox and the relay delivers it again (consumers de-duplicate through their inbox).
 */
export class InProcessTransport implements EventTransport {
  readonly kind = 'in-process' as const;
  private readonly groups = new Map<
    string,
    { topics: Set<string>; handlers: EventHandler[]; next: number }
  >();
  private readonly listeners = new Map<string, Set<EventListener>>();

  async publish(events: EventEnvelope[]): Promise<void> {
    const failures: unknown[] = [];
    for (const group of this.groups.values()) {
      if (group.handlers.length === 0) continue;
      const wanted = events.filter((event) => group.topics.has(event.topic));
      if (wanted.length === 0) continue;
      // Like a consumer group: one member of the group gets the events.
      const handler = group.handlers[group.next++ % group.handlers.length];
      try {
        for (const failure of await handler(wanted)) failures.push(failure.error);
      } catch (error) {
        failures.push(error);
      }
    }
    for (const event of events)
      for (const listener of this.listeners.get(event.topic) ?? []) {
        try {
          listener(event);
        } catch {
          // A live listener's fault must not block delivery to the others.
        }
      }
    if (failures.length > 0)
      throw new AggregateError(failures, `consumers could not take ${failures.length} event(s)`);
  }

  async consume(group: string, topics: string[], handler: EventHandler): Promise<() => Promise<void>> {
    const entry = this.groups.get(group) ?? { topics: new Set<string>(), handlers: [], next: 0 };
    topics.forEach((t) => entry.topics.add(t));
    entry.handlers.push(handler);
    this.groups.set(group, entry);
    return async () => {
      entry.handlers = entry.handlers.filter((h) => h !== handler);
    };
  }

  async listen<T extends Topic>(topic: T, typed: EventListener<T>): Promise<() => Promise<void>> {
    // Only events of `topic` reach this listener (they are dispatched by topic below).
    const listener = typed as EventListener;
    const set = this.listeners.get(topic) ?? new Set();
    set.add(listener);
    this.listeners.set(topic, set);
    return async () => {
      set.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.groups.clear();
    this.listeners.clear();
  }
}
