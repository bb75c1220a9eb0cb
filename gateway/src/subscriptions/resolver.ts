import {
  GraphQLError,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import type { EventEnvelope } from '@loyalty/platform';
import { SEQUENCE_ALIAS, type CompiledSelection } from './selection';

/**
 * Whose rights a resolution runs with. Events of member X reach only X and operators, so at most
 * two classes resolve any one event; each runs with exactly the rights its subscribers have.
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
  /** Queries actually sent through the gateway. */
  executed: number;
}

/** graphql-ws sends `errors` with `toJSON()`: turn the gateway's formatted errors back into GraphQLErrors. */
function failure(errors: readonly GraphQLFormattedError[] | undefined, fallback: string): ExecutionResult {
  const list = errors?.length
    ? errors.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }))
    : [new GraphQLError(fallback, { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
  return { data: null, errors: list };
}

/**
 * Resolves events into client payloads through the gateway. Concurrent requests for the same
 * (selection, audience, event) share one query: an event delivered to a thousand subscribers with
 * the same selection is resolved once.
 */
export class EventResolver {
  private readonly inflight = new Map<string, Promise<Delivery[]>>();
  readonly stats: ResolverStats = { requested: 0, executed: 0 };

  constructor(private readonly run: RunQuery) {}

  private shared(key: string, work: () => Promise<Delivery[]>): Promise<Delivery[]> {
    this.stats.requested++;
    let p = this.inflight.get(key);
    if (!p) {
      this.stats.executed++;
      p = work().finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  /** The payload of one live event. */
  live(selection: CompiledSelection, event: EventEnvelope, audience: Audience): Promise<Delivery[]> {
    const channel = selection.channel;
    const key = `${selection.key}\u0000${audienceKey(audience)}\u0000${event.id}`;
    if (channel.resolution.kind === 'replay') {
      const memberId = channel.memberOf(event.payload) ?? '';
      const sequence = channel.sequenceOf?.(event.payload) ?? 0;
      return this.shared(key, () => this.page(selection, memberId, sequence - 1, 1, audience));
    }
    if (!selection.query)
      return Promise.resolve([{ sequence: null, result: this.project(selection, event, {}) }]);
    return this.shared(key, async () => {
      const variables: Record<string, unknown> = { ...selection.variables };
      for (const entity of Object.values(
        channel.resolution.kind === 'project' ? channel.resolution.entityFields : {},
      )) {
        variables[`rtKey_${entity.key}`] = event.payload[entity.key];
      }
      const res = await this.run(selection.query as string, variables, audience);
      if (!res.data || res.errors?.length)
        return [{ sequence: null, result: failure(res.errors, 'resolution failed') }];
      return [{ sequence: null, result: this.project(selection, event, res.data) }];
    });
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
    this.stats.executed++;
    return this.page(selection, memberId, afterSequence, first, audience);
  }

  private async page(
    selection: CompiledSelection,
    memberId: string,
    after: number,
    first: number,
    audience: Audience,
  ): Promise<Delivery[]> {
    const channel = selection.channel;
    if (channel.resolution.kind !== 'replay') throw new Error(`${channel.field} cannot replay`);
    const res = await this.run(
      selection.query as string,
      { ...selection.variables, rtMember: memberId, rtAfter: after, rtFirst: first },
      audience,
    );
    const member = res.data?.member as Record<string, unknown> | null | undefined;
    const items = member?.[channel.resolution.memberField] as Record<string, unknown>[] | undefined;
    if (!items || res.errors?.length) {
      return [{ sequence: null, result: failure(res.errors, `could not resolve ${channel.field}`) }];
    }
    return items.map((item) => {
      const { [SEQUENCE_ALIAS]: sequence, ...rest } = item;
      return { sequence: Number(sequence), result: { data: { [selection.responseKey]: rest } } };
    });
  }

  private project(
    selection: CompiledSelection,
    event: EventEnvelope,
    data: Record<string, unknown>,
  ): ExecutionResult {
    const out: Record<string, unknown> = {};
    for (const p of selection.projection) {
      if (p.from === 'typename') out[p.responseKey] = p.name;
      else if (p.from === 'query') out[p.responseKey] = data[p.name] ?? null;
      else out[p.responseKey] = event.payload[p.name] ?? null;
    }
    return { data: { [selection.responseKey]: out } };
  }
}
