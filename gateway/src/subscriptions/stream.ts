import { GraphQLError, type ExecutionResult } from 'graphql';
import { ErrorCode, type EventEnvelope } from '@loyalty/platform';
import type { Audience, Delivery, EventResolver } from './resolver';
import type { CompiledSelection } from './selection';

/** Entries fetched per replay query. */
export const REPLAY_PAGE = 100;

export interface StreamOptions {
  selection: CompiledSelection;
  resolver: EventResolver;
  audience: Audience;
  /** The member whose stream this is; null: every member (operators). */
  memberId: string | null;
  /** Replay the entries after this sequence first (resumable channels only). */
  afterSequence: number | null;
  /** Undelivered events a subscriber may fall behind by before it is cut off. */
  maxPending: number;
  /** The subscriber fell too far behind (the server closes its connection). */
  onOverflow(pending: number): void;
  /** Called once when the stream ends, however it ends. */
  onEnd(): void;
}

const failed = (error: unknown): Delivery[] => [
  {
    sequence: null,
    result: {
      data: null,
      errors: [
        new GraphQLError(error instanceof Error ? error.message : String(error), {
          extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
        }),
      ],
    },
  },
];

/**
 * One subscription's ordered, bounded event stream. Resolutions run concurrently but are
 * delivered in arrival order. For resumable channels it replays from the ledger first while
 * buffering live events, then continues live from the last replayed sequence: an event already
 * replayed is dropped, and a hole (an event lost or overtaken in transit) is filled from the
 * ledger, so the subscriber sees every sequence exactly once, in order.
 *
 * An AsyncGenerator so graphql-ws can `return()` it; `return()` ends even a pending `next()`.
 */
export class SubscriptionStream implements AsyncGenerator<ExecutionResult, undefined> {
  private readonly queue: Promise<Delivery[]>[] = [];
  private ready: Delivery[] = [];
  private wake: (() => void) | null = null;
  private drainWaiter: (() => void) | null = null;
  private ended = false;
  private last: number | null;
  private replaying: boolean;
  private buffered: EventEnvelope[] = [];
  private pending = 0;
  /** The consumer is inside `next()`, waiting for us: any backlog is the gateway's, not the client's. */
  private consumerWaiting = false;

  constructor(private readonly o: StreamOptions) {
    this.last = o.afterSequence;
    this.replaying = o.afterSequence !== null;
  }

  /** Starts replay, if asked; live events are accepted from construction on. */
  start(): void {
    if (this.replaying) void this.replay(this.o.afterSequence as number);
  }

  /** Live event for this stream (already routed by member). */
  onEvent = (event: EventEnvelope): void => {
    if (this.ended) return;
    if (this.replaying) {
      this.buffered.push(event);
      if (this.buffered.length > this.o.maxPending) this.overflow(this.buffered.length);
      return;
    }
    this.live(event);
  };

  private live(event: EventEnvelope): void {
    const channel = this.o.selection.channel;
    const sequence =
      channel.sequenceOf && this.o.memberId !== null ? channel.sequenceOf(event.payload) : null;
    if (sequence === null || !Number.isFinite(sequence)) {
      this.enqueue(this.o.resolver.live(this.o.selection, event, this.o.audience));
      return;
    }
    if (this.last !== null && sequence <= this.last) return; // already delivered (replay seam, redelivery)
    if (this.last === null || sequence === this.last + 1) {
      this.enqueue(this.o.resolver.live(this.o.selection, event, this.o.audience));
    } else if (sequence - this.last <= REPLAY_PAGE) {
      // A hole: fetch everything after what was delivered, up to and including this event.
      this.enqueue(
        this.o.resolver.replay(
          this.o.selection,
          this.o.memberId as string,
          this.last,
          sequence - this.last,
          this.o.audience,
        ),
      );
    } else {
      // A big hole: replay it page by page, buffering live events meanwhile, as on resume.
      this.replaying = true;
      this.buffered.push(event);
      void this.replay(this.last);
      return;
    }
    this.last = sequence;
  }

  private async replay(from: number): Promise<void> {
    let after = from;
    try {
      for (;;) {
        const page = this.o.resolver.replay(
          this.o.selection,
          this.o.memberId as string,
          after,
          REPLAY_PAGE,
          this.o.audience,
        );
        this.enqueue(page);
        const items = await page;
        if (this.ended) return;
        const sequences = items.map((i) => i.sequence).filter((s): s is number => s !== null);
        if (sequences.length) after = sequences[sequences.length - 1];
        if (sequences.length < REPLAY_PAGE) break;
        // Replay no faster than the subscriber reads: one page ahead at most.
        while (!this.ended && this.pending > REPLAY_PAGE)
          await new Promise<void>((r) => (this.drainWaiter = r));
      }
    } catch {
      // the failed page is delivered as an error; continue live from what was delivered
    }
    this.last = after;
    this.replaying = false;
    const buffered = this.buffered.sort((a, b) => this.seq(a) - this.seq(b));
    this.buffered = [];
    for (const event of buffered) this.live(event);
  }

  private seq(event: EventEnvelope): number {
    return this.o.selection.channel.sequenceOf?.(event.payload) ?? 0;
  }

  private enqueue(p: Promise<Delivery[]>): void {
    if (this.ended) return;
    this.queue.push(p.catch(failed));
    this.pending++;
    // Behind by more than the limit while not even asking for the next event: a slow client. A
    // hard cap at four times the limit bounds memory whatever the cause.
    if ((this.pending > this.o.maxPending && !this.consumerWaiting) || this.pending > 4 * this.o.maxPending) {
      this.overflow(this.pending);
    }
    this.wake?.();
  }

  private overflow(pending: number): void {
    this.o.onOverflow(pending);
    void this.return();
  }

  async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.consumerWaiting = true;
    try {
      return await this.pull();
    } finally {
      this.consumerWaiting = false;
    }
  }

  private async pull(): Promise<IteratorResult<ExecutionResult, undefined>> {
    for (;;) {
      const item = this.ready.shift();
      if (item) return { value: item.result, done: false };
      if (this.ended) return { value: undefined, done: true };
      const head = this.queue[0];
      if (head) {
        const deliveries = await head;
        if (this.ended) return { value: undefined, done: true };
        if (this.queue[0] === head) {
          this.queue.shift();
          this.pending--;
          if (this.pending <= REPLAY_PAGE) this.drainWaiter?.();
        }
        this.ready.push(...deliveries);
        continue;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  async return(): Promise<IteratorResult<ExecutionResult, undefined>> {
    if (!this.ended) {
      this.ended = true;
      this.queue.length = 0;
      this.ready = [];
      this.buffered = [];
      this.wake?.();
      this.drainWaiter?.();
      this.o.onEnd();
    }
    return { value: undefined, done: true };
  }

  async throw(): Promise<IteratorResult<ExecutionResult, undefined>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}
