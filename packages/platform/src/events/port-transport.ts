import type { MessagePort } from 'node:worker_threads';
import type { EventEnvelope } from './event';
import type { Topic } from './registry';
import type { EventHandler, EventListener, EventTransport } from './transport';

/** Asked of the thread that owns the transport; each gets a `reply` with the same id. */
type Request =
  | { op: 'listen'; id: number; topic: string }
  | { op: 'unlisten'; id: number; topic: string }
  | { op: 'publish'; id: number; events: EventEnvelope[] }
  | { op: 'consume'; id: number; group: string; topics: string[] }
  | { op: 'unconsume'; id: number; consumer: number };

/** What the owning thread sends: replies, live events, and deliveries to a remote consumer. */
type Notice =
  | { op: 'reply'; id: number; error?: string }
  | { op: 'event'; event: EventEnvelope }
  | { op: 'deliver'; id: number; consumer: number; events: readonly EventEnvelope[] };

/** The remote consumer's answer to a delivery: which events (by index) failed, and why. */
type Handled = { op: 'handled'; id: number; failed: { index: number; error: string }[] };

type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The owning side of a {@link PortTransport}: serves the other thread's requests on `transport`
 * (the all-in-one process's in-process transport). A consumer on the other side is a consumer of
 * `transport` whose handler is a round trip, so a failing remote handler fails the publish like a
 * local one would, and the relay delivers again. Resolves its stop when the port closes.
 */
export function serveTransport(transport: EventTransport, port: MessagePort): () => Promise<void> {
  const listening = new Map<string, () => Promise<void>>();
  const consumers = new Map<number, () => Promise<void>>();
  const deliveries = new Map<number, { resolve(failed: Handled['failed']): void; reject(e: Error): void }>();
  let nextDelivery = 0;
  let closed = false;
  // Registrations run in arrival order (an `unlisten` then a `listen` of one topic must not
  // cross); publishes run at once.
  let registrations = Promise.resolve();
  const handle = async (request: Request): Promise<void> => {
    switch (request.op) {
      case 'listen':
        if (!listening.has(request.topic))
          listening.set(
            request.topic,
            await transport.listen(request.topic as Topic, (event) =>
              port.postMessage({ op: 'event', event }),
            ),
          );
        return;
      case 'unlisten':
        await listening.get(request.topic)?.();
        listening.delete(request.topic);
        return;
      case 'publish':
        return transport.publish(request.events);
      case 'consume': {
        const consumer = request.id;
        const handler: EventHandler = async (events) => {
          const failed = await new Promise<Handled['failed']>((resolve, reject) => {
            if (closed) return reject(new Error('the consuming thread is gone'));
            const id = nextDelivery++;
            deliveries.set(id, { resolve, reject });
            port.postMessage({ op: 'deliver', id, consumer, events } satisfies Notice);
          });
          return failed.map(({ index, error }) => ({ event: events[index], error: new Error(error) }));
        };
        consumers.set(consumer, await transport.consume(request.group, request.topics as Topic[], handler));
        return;
      }
      case 'unconsume':
        await consumers.get(request.consumer)?.();
        consumers.delete(request.consumer);
        return;
    }
  };
  port.on('message', (message: Request | Handled) => {
    if (message.op === 'handled') {
      const delivery = deliveries.get(message.id);
      deliveries.delete(message.id);
      delivery?.resolve(message.failed);
      return;
    }
    const run = message.op === 'publish' ? handle(message) : registrations.then(() => handle(message));
    if (message.op !== 'publish') registrations = run.catch(() => undefined);
    run.then(
      () => !closed && port.postMessage({ op: 'reply', id: message.id } satisfies Notice),
      (error: unknown) =>
        !closed &&
        port.postMessage({ op: 'reply', id: message.id, error: messageOf(error) } satisfies Notice),
    );
  });
  const release = async () => {
    closed = true;
    for (const d of deliveries.values()) d.reject(new Error('the consuming thread is gone'));
    deliveries.clear();
    await Promise.all([...listening.values(), ...consumers.values()].map((stop) => stop()));
    listening.clear();
    consumers.clear();
  };
  const done = new Promise<void>((resolve) => port.once('close', () => void release().then(resolve)));
  return async () => {
    port.close();
    await done;
  };
}

/**
 * An {@link EventTransport} for a worker thread of the all-in-one process (the gateway's): every
 * operation is forwarded over a `MessagePort` to the thread that owns the real transport
 * ({@link serveTransport}), so the worker sees the same events as its in-process neighbours.
 */
export class PortTransport implements EventTransport {
  readonly kind = 'port' as const;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(): void; reject(e: Error): void }>();
  private readonly listeners = new Map<string, Set<EventListener>>();
  private readonly handlers = new Map<number, EventHandler>();
  private closed = false;

  constructor(private readonly port: MessagePort) {
    port.on('message', (notice: Notice) => this.receive(notice));
    port.once('close', () => this.fail(new Error('event port closed')));
  }

  private receive(notice: Notice): void {
    if (notice.op === 'reply') {
      const request = this.pending.get(notice.id);
      this.pending.delete(notice.id);
      if (notice.error === undefined) request?.resolve();
      else request?.reject(new Error(notice.error));
    } else if (notice.op === 'event') {
      for (const listener of this.listeners.get(notice.event.topic) ?? []) {
        try {
          listener(notice.event);
        } catch {
          // A live listener's fault must not starve the others.
        }
      }
    } else {
      const handler = this.handlers.get(notice.consumer);
      const { events } = notice;
      const reply = (failed: Handled['failed']) =>
        this.port.postMessage({ op: 'handled', id: notice.id, failed } satisfies Handled);
      const all = (error: string) => events.map((_, index) => ({ index, error }));
      if (!handler) reply(all('no such consumer'));
      else
        handler(events).then(
          (failures) =>
            reply(
              failures.map(({ event, error }) => ({ index: events.indexOf(event), error: messageOf(error) })),
            ),
          (error: unknown) => reply(all(messageOf(error))),
        );
    }
  }

  private fail(error: Error): void {
    this.closed = true;
    for (const request of this.pending.values()) request.reject(error);
    this.pending.clear();
  }

  private request(body: WithoutId<Request>): { id: number; done: Promise<void> } {
    const id = this.nextId++;
    if (this.closed) return { id, done: Promise.reject(new Error('event port closed')) };
    const done = new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.port.postMessage({ ...body, id });
    return { id, done };
  }

  async publish(events: EventEnvelope[]): Promise<void> {
    if (events.length > 0) await this.request({ op: 'publish', events }).done;
  }

  async consume(group: string, topics: Topic[], handler: EventHandler): Promise<() => Promise<void>> {
    const { id, done } = this.request({ op: 'consume', group, topics });
    this.handlers.set(id, handler);
    await done.catch((error: unknown) => {
      this.handlers.delete(id);
      throw error;
    });
    return async () => {
      this.handlers.delete(id);
      if (!this.closed) await this.request({ op: 'unconsume', consumer: id }).done;
    };
  }

  async listen<T extends Topic>(topic: T, typed: EventListener<T>): Promise<() => Promise<void>> {
    // Only events of `topic` reach this listener (they are dispatched by topic above).
    const listener = typed as EventListener;
    let set = this.listeners.get(topic);
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
    }
    set.add(listener);
    // Resolves once the owning thread listens: events after that arrive after the reply.
    await this.request({ op: 'listen', topic }).done;
    return async () => {
      set.delete(listener);
      if (set.size === 0 && !this.closed) await this.request({ op: 'unlisten', topic }).done;
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.fail(new Error('event port closed'));
    this.listeners.clear();
    this.handlers.clear();
    this.port.close();
  }
}
