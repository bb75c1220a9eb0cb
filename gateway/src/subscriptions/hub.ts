import type { EventEnvelope, EventTransport, Topic } from '@loyalty/platform';
import type { Channel } from './channels';

export type Sink = (event: EventEnvelope) => void;

interface ChannelSinks {
  channel: Channel;
  byMember: Map<string, Set<Sink>>;
  all: Set<Sink>;
}

/**
 * One live listener per topic for the whole gateway, routing each event to the subscriptions of
 * its member (and to operators watching everyone): routing costs O(subscribers of that member),
 * not O(connections).
 */
export class EventHub {
  private readonly channels = new Map<string, ChannelSinks>();
  private readonly stops: (() => Promise<void>)[] = [];
  /** Events received from the transport (metrics, benchmarks). */
  received = 0;

  constructor(private readonly transport: EventTransport) {}

  /** Listens to every channel's topic; resolves once the transport delivers (no gap for replay). */
  async start(channels: Iterable<Channel>): Promise<void> {
    const topics = new Set<Topic>();
    for (const channel of channels) {
      if (!this.channels.has(channel.field))
        this.channels.set(channel.field, { channel, byMember: new Map(), all: new Set() });
      topics.add(channel.topic);
    }
    for (const topic of topics) {
      this.stops.push(await this.transport.listen(topic, (event) => this.dispatch(topic, event)));
    }
  }

  private dispatch(topic: Topic, event: EventEnvelope): void {
    this.received++;
    for (const entry of this.channels.values()) {
      if (entry.channel.topic !== topic) continue;
      const memberId = entry.channel.memberOf(event.payload);
      const own = memberId === null ? undefined : entry.byMember.get(memberId);
      if (own) for (const sink of own) sink(event);
      for (const sink of entry.all) sink(event);
    }
  }

  /** Routes a channel's events of one member (or, null, of everyone) to `sink`; returns the remover. */
  add(channel: Channel, memberId: string | null, sink: Sink): () => void {
    const entry = this.channels.get(channel.field);
    if (!entry) throw new Error(`channel ${channel.field} is not listened to`);
    if (memberId === null) {
      entry.all.add(sink);
      return () => entry.all.delete(sink);
    }
    let set = entry.byMember.get(memberId);
    if (!set) entry.byMember.set(memberId, (set = new Set()));
    set.add(sink);
    return () => {
      set.delete(sink);
      if (set.size === 0) entry.byMember.delete(memberId);
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.stops.splice(0).map((s) => s()));
  }
}
