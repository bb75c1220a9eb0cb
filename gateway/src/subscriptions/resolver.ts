import {
  GraphQLError,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import { ErrorCode, type EventEnvelope } from '@loyalty/platform';
import { payloadFields } from './channels';
import type { LivePayloads, PayloadPlan } from './live-payloads';
import { MAX_BATCH, SEQUENCE_ALIAS, type CompiledSelection } from './selection';

/** Most live events one bulk resolution carries (no query text grows with it). */
export const MAX_BULK_BATCH = 256;

/** Live payloads resolved in bulk, when a selection can be (see live-payloads.ts). */
export interface BulkResolution {
  payloads: LivePayloads;
  /** The selection's bulk plan, or null to resolve it through the gateway. */
  plan(selection: CompiledSelection): PayloadPlan | null;
  /** The audience's authorization header for subgraph fetches. */
  authorization(audience: Audience): Promise<string>;
}

/**
 * Whose rights a resolution runs with. Events of member X reach only X and operators; a member's
 * selection that is not self-contained runs with that member's own rights, everything else with
 * operator rights (see `CompiledSelection.selfContained`).
 */
export type Audience = { role: 'member'; memberId: string } | { role: 'admin' };

export const audienceKey = (a: Audience): string => (a.role === 'admin' ? 'admin' : `member:${a.memberId}`);

/** Runs one operation through the in-process gateway with the audience's rights. */
export type RunQuery = (
  query: string,
  variables: Record<string, unknown>,
  audience: Audience,
) => Promise<FormattedExecutionResult<Record<string, unknown>>>;

/** One payload ready for the client, with its sequence when the channel has one. */
export interface Delivery {
  sequence: number | null;
  result: ExecutionResult;
}

export interface ResolverStats {
  /** Resolutions asked for (one per subscriber and event). */
  requested: number;
  /** Distinct (event, selection, audience) resolutions. */
  resolved: number;
  /** Queries actually sent through the gateway (a query carries up to MAX_BATCH events). */
  executed: number;
}

/** graphql-ws sends `errors` with `toJSON()`: turn the gateway's formatted errors back into GraphQLErrors. */
function failure(errors: readonly GraphQLFormattedError[] | undefined, fallback: string): ExecutionResult {
  const list = errors?.length
    ? errors.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }))
    : [new GraphQLError(fallback, { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } })];
  return { data: null, errors: list };
}

/** The smallest power of two ≥ n. */
export const paddedSize = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** One root of a batched query: for `replay` a range of a member's entries, for `project` an event. */
interface Item {
  memberId: string;
  after: number;
  first: number;
  event: EventEnvelope | null;
  resolve(d: Delivery[]): void;
  reject(e: unknown): void;
}

interface Bucket {
  selection: CompiledSelection;
  audience: Audience;
  items: Item[];
  /** Live events resolved in bulk (no gateway query). */
  plan: PayloadPlan | null;
}

/**
 * Resolves events into client payloads through the gateway, in two steps of sharing:
 * - deduplicated: concurrent requests for the same (selection, audience, event) share one
 *   resolution, so an event delivered to a thousand subscribers with the same selection is
 *   resolved once;
 * - batched: resolutions asked for in the same turn of the event loop (or while the gateway is
 *   busy) with the same selection and audience go out as one query with one aliased root per event
 *   (up to MAX_BATCH), so a burst of events costs one gateway query plan and one fetch per subgraph.
 */
export class EventResolver {
  private readonly inflight = new Map<string, Promise<Delivery[]>>();
  /** Batches still taking events, oldest first. */
  private readonly open = new Map<string, Bucket>();
  /** Batches at MAX_BATCH, waiting for a free slot. */
  private readonly full: Bucket[] = [];
  private inFlight = 0;
  private pumpScheduled = false;
  readonly stats: ResolverStats = { requested: 0, resolved: 0, executed: 0 };

  constructor(
    private readonly run: RunQuery,
    private readonly maxInFlight = 8,
    private readonly bulk: BulkResolution | null = null,
  ) {}

  /** The payload of one live event. */
  live(selection: CompiledSelection, event: EventEnvelope, audience: Audience): Promise<Delivery[]> {
    this.stats.requested++;
    const channel = selection.channel;
    if (selection.liveFromPayload || !selection.query(1)) {
      this.stats.resolved++;
      const sequence = channel.sequenceOf?.(event.payload) ?? null;
      return Promise.resolve([{ sequence, result: this.project(selection, event, {}, '') }]);
    }
    const key = `${selection.key}\u0000${audienceKey(audience)}\u0000${event.id}`;
    let p = this.inflight.get(key);
    if (!p) {
      this.stats.resolved++;
      const memberId = channel.memberOf(event.payload) ?? '';
      const sequence = channel.sequenceOf?.(event.payload) ?? 0;
      const plan = this.bulk?.plan(selection) ?? null;
      p = this.enqueue(selection, audience, { memberId, after: sequence - 1, first: 1, event }, plan).finally(
        () => this.inflight.delete(key),
      );
      this.inflight.set(key, p);
    }
    return p;
  }

  /**
   * Entries after `afterSequence`, in order (replay on resume, and the gap when live events arrive
   * out of order). Not shared: the range is the subscriber's own.
   */
  replay(
    selection: CompiledSelection,
    memberId: string,
    afterSequence: number,
    first: number,
    audience: Audience,
  ) {
    this.stats.requested++;
    this.stats.resolved++;
    return this.enqueue(selection, audience, { memberId, after: afterSequence, first, event: null });
  }

  private enqueue(
    selection: CompiledSelection,
    audience: Audience,
    item: Omit<Item, 'resolve' | 'reject'>,
    plan: PayloadPlan | null = null,
  ): Promise<Delivery[]> {
    return new Promise<Delivery[]>((resolve, reject) => {
      const key = `${selection.key}\u0000${audienceKey(audience)}${plan ? '\u0000bulk' : ''}`;
      let bucket = this.open.get(key);
      if (!bucket) {
        bucket = { selection, audience, items: [], plan };
        this.open.set(key, bucket);
      }
      bucket.items.push({ ...item, resolve, reject });
      if (bucket.items.length >= (plan ? MAX_BULK_BATCH : MAX_BATCH)) {
        this.open.delete(key);
        this.full.push(bucket);
      }
      if (!this.pumpScheduled) {
        this.pumpScheduled = true;
        setImmediate(() => {
          this.pumpScheduled = false;
          this.pump();
        });
      }
    });
  }

  /**
   * Sends batches while fewer than `maxInFlight` queries run. When the gateway is busy, open
   * batches keep filling meanwhile: under load the resolver sends fewer, bigger queries instead of
   * queueing many small ones (adaptive batching); when idle, a batch leaves on the next turn.
   */
  private pump(): void {
    while (this.inFlight < this.maxInFlight) {
      let bucket = this.full.shift();
      if (!bucket) {
        const oldest = this.open.entries().next();
        if (oldest.done) return;
        this.open.delete(oldest.value[0]);
        bucket = oldest.value[1];
      }
      this.inFlight++;
      void this.execute(bucket).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async execute({ selection, audience, items, plan }: Bucket): Promise<void> {
    this.stats.executed++;
    if (plan && this.bulk) {
      try {
        const results = await this.bulk.payloads.resolve(
          plan,
          items.map((i) => i.event as EventEnvelope),
          audienceKey(audience),
          await this.bulk.authorization(audience),
        );
        items.forEach((item, i) => item.resolve([{ sequence: null, result: results[i] }]));
      } catch (error) {
        items.forEach((item) => item.reject(error));
      }
      return;
    }
    const channel = selection.channel;
    const variables: Record<string, unknown> = { ...selection.variables };
    // Batch sizes are padded to a power of two (repeating the last root): the gateway plans each
    // distinct query once, so a selection costs at most log2(MAX_BATCH) + 1 plans, not MAX_BATCH.
    const size = paddedSize(items.length);
    const roots = [...items, ...Array.from({ length: size - items.length }, () => items[items.length - 1])];
    roots.forEach((item, i) => {
      if (channel.resolution.kind === 'replay') {
        Object.assign(variables, { [`m${i}`]: item.memberId, [`a${i}`]: item.after, [`f${i}`]: item.first });
      } else {
        for (const k of selection.entityKeys)
          variables[`k${i}_${k}`] = item.event ? payloadFields(item.event)[k] : undefined;
      }
    });
    let res: FormattedExecutionResult<Record<string, unknown>>;
    try {
      res = await this.run(selection.query(size) as string, variables, audience);
    } catch (error) {
      items.forEach((item) => item.reject(error));
      return;
    }
    items.forEach((item, i) => {
      const errors = res.errors?.filter(
        (e) => typeof e.path?.[0] === 'string' && String(e.path[0]).startsWith(`b${i}`),
      );
      const unattributed = res.errors?.filter((e) => !e.path?.length);
      if (!res.data || errors?.length || unattributed?.length) {
        const all = [...(errors ?? []), ...(unattributed ?? [])];
        item.resolve([{ sequence: null, result: failure(all, `could not resolve ${channel.field}`) }]);
        return;
      }
      item.resolve(
        channel.resolution.kind === 'replay'
          ? this.page(selection, res.data, i)
          : [
              {
                sequence: null,
                result: this.project(selection, item.event as EventEnvelope, res.data, `b${i}`),
              },
            ],
      );
    });
  }

  private page(selection: CompiledSelection, data: Record<string, unknown>, i: number): Delivery[] {
    const channel = selection.channel;
    const field = channel.resolution.kind === 'replay' ? channel.resolution.memberField : '';
    const member = data[`b${i}`] as Record<string, unknown> | null | undefined;
    const items = member?.[field] as Record<string, unknown>[] | undefined;
    if (!items) return [{ sequence: null, result: failure(undefined, `could not resolve ${channel.field}`) }];
    return items.map((item) => {
      const { [SEQUENCE_ALIAS]: sequence, ...rest } = item;
      return { sequence: Number(sequence), result: { data: { [selection.responseKey]: rest } } };
    });
  }

  private project(
    selection: CompiledSelection,
    event: EventEnvelope,
    data: Record<string, unknown>,
    prefix: string,
  ): ExecutionResult {
    const out: Record<string, unknown> = {};
    const { localize } = selection.channel;
    const fields = localize ? localize(event.payload, selection.language) : payloadFields(event);
    for (const p of selection.projection) {
      if (p.from === 'typename') out[p.responseKey] = p.name;
      else if (p.from === 'query') out[p.responseKey] = data[`${prefix}${p.name}`] ?? null;
      else out[p.responseKey] = fields[p.name] ?? null;
    }
    return { data: { [selection.responseKey]: out } };
  }
}
