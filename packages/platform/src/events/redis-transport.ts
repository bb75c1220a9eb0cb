import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import type { EventEnvelope } from './event';
import type { Topic } from './registry';
import type { DeliveryFailure, EventHandler, EventListener, EventTransport } from './transport';

type StreamReply = [stream: string, messages: [id: string, fields: string[]][]][] | null;

/** Messages pending longer than this on a dead consumer are claimed by a live one. */
const CLAIM_IDLE_MS = 30_000;

/**
 * Redis transport for separate processes and replicas: a Stream per topic with a consumer group
 * per durable consumer (acknowledged after the handler commits; unacknowledged messages of a
 * crashed consumer are claimed by another), and pub/sub for live fan-out to every gateway.
 */
export class RedisTransport implements EventTransport {
  readonly kind = 'redis' as const;
  private readonly publisher: Redis;
  private subscriber: Redis | null = null;
  private readonly listeners = new Map<string, Set<EventListener>>();
  private readonly loops = new Set<() => Promise<void>>();

  constructor(
    private readonly url: string,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.publisher = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: false });
    this.publisher.on('error', (err) => logger.warn({ err }, 'redis publisher error'));
  }

  private stream(topic: string) {
    return `${this.prefix}:stream:${topic}`;
  }

  private channel(topic: string) {
    return `${this.prefix}:live:${topic}`;
  }

  async publish(events: EventEnvelope[]): Promise<void> {
    if (events.length === 0) return;
    const pipeline = this.publisher.multi();
    for (const event of events) {
      const json = JSON.stringify(event);
      pipeline.xadd(this.stream(event.topic), 'MAXLEN', '~', '1000000', '*', 'event', json);
      pipeline.publish(this.channel(event.topic), json);
    }
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async consume(group: string, topics: string[], handler: EventHandler): Promise<() => Promise<void>> {
    const streams = topics.map((t) => this.stream(t));
    for (const stream of streams) {
      try {
        // From the start of the stream: a group created after events were written still gets them.
        await this.publisher.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
      } catch (error) {
        if (!String(error).includes('BUSYGROUP')) throw error;
      }
    }
    const consumer = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    const conn = new Redis(this.url, { maxRetriesPerRequest: null });
    conn.on('error', (err) => this.logger.warn({ err }, 'redis consumer error'));
    let stopped = false;
    let backlog = true; // read our own pending messages first ('0'), then new ones ('>')
    let lastClaim = 0;

    /** Hands the messages to the handler in one call; acknowledges those it took. */
    const handle = async (messages: { stream: string; id: string; fields: string[] }[]) => {
      if (messages.length === 0) return;
      const taken = new Map<EventEnvelope, { stream: string; id: string }>();
      for (const m of messages) {
        try {
          taken.set(JSON.parse(m.fields[m.fields.indexOf('event') + 1]) as EventEnvelope, m);
        } catch (err) {
          backlog = true;
          this.logger.warn({ err, group, stream: m.stream, id: m.id }, 'unreadable event; will retry');
        }
      }
      if (taken.size === 0) return;
      let failures: readonly DeliveryFailure[];
      try {
        failures = await handler([...taken.keys()]);
      } catch (err) {
        failures = [...taken.keys()].map((event) => ({ event, error: err }));
      }
      for (const { event, error } of failures) {
        const m = taken.get(event);
        taken.delete(event);
        backlog = true;
        this.logger.warn(
          { err: error, group, stream: m?.stream, id: m?.id },
          'event handler failed; will retry',
        );
      }
      const acks = new Map<string, string[]>();
      for (const { stream, id } of taken.values()) acks.set(stream, [...(acks.get(stream) ?? []), id]);
      for (const [stream, ids] of acks) await conn.xack(stream, group, ...ids);
    };

    const loop = async () => {
      while (!stopped) {
        try {
          if (Date.now() - lastClaim > CLAIM_IDLE_MS / 2) {
            lastClaim = Date.now();
            for (const stream of streams) {
              const [, claimed] = (await conn.xautoclaim(
                stream,
                group,
                consumer,
                CLAIM_IDLE_MS,
                '0-0',
                'COUNT',
                100,
              )) as [string, [string, string[]][]];
              await handle(
                claimed.filter(([, fields]) => fields).map(([id, fields]) => ({ stream, id, fields })),
              );
            }
          }
          const readingBacklog = backlog;
          const ids = streams.map(() => (readingBacklog ? '0' : '>'));
          const reply = (await conn.xreadgroup(
            'GROUP',
            group,
            consumer,
            'COUNT',
            100,
            'BLOCK',
            1000,
            'STREAMS',
            ...streams,
            ...ids,
          )) as StreamReply;
          const messages = (reply ?? []).flatMap(([stream, ms]) =>
            ms.map(([id, fields]) => ({ stream, id, fields })),
          );
          // Our own pending list is drained first; once it is empty we read new messages.
          if (readingBacklog) backlog = messages.length > 0;
          await handle(messages);
          if (readingBacklog && backlog) await new Promise((r) => setTimeout(r, 200)); // failing handler: back off
        } catch (err) {
          if (stopped) break;
          this.logger.warn({ err, group }, 'redis consume loop error; retrying');
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    };
    const running = loop();
    const stop = async () => {
      stopped = true;
      conn.disconnect();
      await running;
      this.loops.delete(stop);
    };
    this.loops.add(stop);
    return stop;
  }

  async listen<T extends Topic>(topic: T, typed: EventListener<T>): Promise<() => Promise<void>> {
    // Only events of `topic` reach this listener (they are dispatched by topic below).
    const listener = typed as EventListener;
    if (!this.subscriber) {
      this.subscriber = new Redis(this.url, { maxRetriesPerRequest: null });
      this.subscriber.on('error', (err) => this.logger.warn({ err }, 'redis subscriber error'));
      this.subscriber.on('message', (channel: string, message: string) => {
        const topic = channel.slice(`${this.prefix}:live:`.length);
        const event = JSON.parse(message) as EventEnvelope;
        for (const l of this.listeners.get(topic) ?? []) {
          try {
            l(event);
          } catch {
            // one listener's fault must not starve the rest
          }
        }
      });
    }
    let set = this.listeners.get(topic);
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
      await this.subscriber.subscribe(this.channel(topic));
    }
    set.add(listener);
    return async () => {
      set.delete(listener);
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.loops].map((stop) => stop()));
    this.subscriber?.disconnect();
    await this.publisher.quit().catch(() => undefined);
  }
}
