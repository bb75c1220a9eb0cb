import {
  GraphQLError,
  type ExecutionResult,
  type FieldNode,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import { ErrorCode, type EventEnvelope } from '@loyalty/platform';
import { payloadFields, type Channel } from './channels';
import { EntityCache } from './entity-cache';
import { planEntity, type EntityPlan, type GraphPart, type SupergraphIndex } from './entity-plan';
import type { Fragments } from './selection-fields';

/** One `_entities` request to a subgraph, with the audience's authorization. */
export type EntityFetch = (
  graph: string,
  query: string,
  variables: Record<string, unknown>,
  authorization: string,
) => Promise<FormattedExecutionResult<Record<string, unknown>>>;

/** A live payload answered in bulk: event fields, and entities fetched per batch. */
export interface PayloadPlan {
  responseKey: string;
  fields: (
    | { responseKey: string; from: 'typename'; name: string }
    | { responseKey: string; from: 'payload'; name: string }
    | { responseKey: string; from: 'entity'; idFrom: string; plan: EntityPlan }
  )[];
}

/**
 * Plans a live payload for bulk resolution: the channel's event fields from the event, each
 * entity field (`member`, `entry`) by `_entities` from its subgraphs, fields the event carries
 * for that entity taken from the event. Null when the channel or selection is not plannable.
 */
export function planPayload(
  index: SupergraphIndex,
  channel: Channel,
  responseKey: string,
  fields: readonly FieldNode[],
  fragments: Fragments,
): PayloadPlan | null {
  const entities = channel.liveEntities;
  const carried = channel.payloadFields ?? {};
  if (!entities) return null;
  const plan: PayloadPlan = { responseKey, fields: [] };
  for (const f of fields) {
    const key = f.alias?.value ?? f.name.value;
    const name = f.name.value;
    const entity = entities[name];
    if (name === '__typename')
      plan.fields.push({ responseKey: key, from: 'typename', name: channel.returnType });
    else if (carried[name] && !f.selectionSet && !f.arguments?.length)
      plan.fields.push({ responseKey: key, from: 'payload', name: carried[name] });
    else if (entity && f.selectionSet) {
      const entityPlan = planEntity(index, entity.type, f.selectionSet, fragments, entity.fromEvent);
      if (!entityPlan) return null;
      plan.fields.push({ responseKey: key, from: 'entity', idFrom: entity.idFrom, plan: entityPlan });
    } else return null;
  }
  return plan;
}

type Answer = Record<string, unknown> | EntityError;

const partKey = (audience: string, part: GraphPart) =>
  `${audience}\u0000${part.graph}\u0000${part.selection}`;

class EntityError extends Error {
  constructor(readonly errors: readonly GraphQLFormattedError[]) {
    super(errors[0]?.message ?? 'could not resolve an entity');
  }
}

/**
 * Resolves a batch of live events at once: for every entity type and subgraph the batch needs,
 * one `_entities` fetch with the distinct ids not cached yet (then the entities those reference,
 * level by level); everything else from the events.
 */
export class LivePayloads {
  readonly stats = { batches: 0, entityFetches: 0 };

  constructor(
    private readonly fetch: EntityFetch,
    readonly cache: EntityCache = new EntityCache(),
  ) {}

  async resolve(
    plan: PayloadPlan,
    events: EventEnvelope[],
    audience: string,
    authorization: string,
  ): Promise<ExecutionResult[]> {
    this.stats.batches++;
    const answers = new Map<string, Answer>();
    type Group = { type: string; part: GraphPart; ids: Set<string> };
    let pending = new Map<string, Group>();
    const need = (entity: EntityPlan, id: string) => {
      for (const part of entity.parts) {
        const pk = partKey(audience, part);
        const at = `${entity.type}:${id}\u0000${pk}`;
        if (answers.has(at)) continue;
        const cached = this.cache.get(entity.type, id, pk);
        if (cached) {
          answers.set(at, cached);
          follow(part, cached);
          continue;
        }
        const gk = `${entity.type}\u0000${pk}`;
        let group = pending.get(gk);
        if (!group) pending.set(gk, (group = { type: entity.type, part, ids: new Set() }));
        group.ids.add(id);
      }
    };
    const follow = (part: GraphPart, value: Record<string, unknown>) => {
      for (const n of part.nested) {
        const refs = n.list ? (value[n.responseKey] as unknown[] | null) : [value[n.responseKey]];
        for (const ref of refs ?? []) {
          const id = (ref as { id?: unknown } | null)?.id;
          if (id !== undefined && id !== null) need(n.plan, String(id));
        }
      }
    };
    for (const event of events) {
      const payload = payloadFields(event);
      for (const f of plan.fields) if (f.from === 'entity') need(f.plan, String(payload[f.idFrom]));
    }
    while (pending.size) {
      const groups = [...pending.values()];
      pending = new Map();
      await Promise.all(groups.map((g) => this.fetchGroup(g, audience, authorization, answers, follow)));
    }
    return events.map((event) => {
      const payload = payloadFields(event);
      try {
        const out: Record<string, unknown> = {};
        for (const f of plan.fields) {
          if (f.from === 'typename') out[f.responseKey] = f.name;
          else if (f.from === 'payload') out[f.responseKey] = payload[f.name] ?? null;
          else out[f.responseKey] = this.build(f.plan, String(payload[f.idFrom]), payload, audience, answers);
        }
        return { data: { [plan.responseKey]: out } };
      } catch (error) {
        const errors = error instanceof EntityError ? error.errors : [];
        return {
          data: null,
          errors: errors.length
            ? errors.map((e) => new GraphQLError(e.message, { extensions: e.extensions }))
            : [
                new GraphQLError('could not resolve the payload', {
                  extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
                }),
              ],
        };
      }
    });
  }

  private async fetchGroup(
    g: { type: string; part: GraphPart; ids: Set<string> },
    audience: string,
    authorization: string,
    answers: Map<string, Answer>,
    follow: (part: GraphPart, value: Record<string, unknown>) => void,
  ): Promise<void> {
    const ids = [...g.ids];
    const pk = partKey(audience, g.part);
    const since = this.cache.clock();
    this.stats.entityFetches++;
    let res: FormattedExecutionResult<Record<string, unknown>>;
    try {
      res = await this.fetch(
        g.part.graph,
        `query Realtime_${g.type}($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${g.type} { ${g.part.selection} } } }`,
        { representations: ids.map((id) => ({ __typename: g.type, id })) },
        authorization,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      for (const id of ids) answers.set(`${g.type}:${id}\u0000${pk}`, new EntityError([{ message }]));
      return;
    }
    const list = (res.data?._entities as (Record<string, unknown> | null)[] | undefined) ?? [];
    ids.forEach((id, i) => {
      const errors = res.errors?.filter((e) => e.path?.[1] === i || !e.path);
      const value = list[i];
      if (!value || errors?.length) {
        answers.set(
          `${g.type}:${id}\u0000${pk}`,
          new EntityError(errors?.length ? errors : [{ message: `${g.type} ${id} not found` }]),
        );
        return;
      }
      this.cache.set(g.type, id, pk, value, since);
      answers.set(`${g.type}:${id}\u0000${pk}`, value);
      follow(g.part, value);
    });
  }

  /** One entity of one payload, in the client's field order. */
  private build(
    entity: EntityPlan,
    id: string,
    event: Readonly<Record<string, unknown>> | null,
    audience: string,
    answers: Map<string, Answer>,
  ): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const l of entity.local) {
      values[l.responseKey] =
        l.from === 'typename' ? l.name : l.from === 'id' ? id : (event?.[l.name] ?? null);
    }
    for (const part of entity.parts) {
      const answer = answers.get(`${entity.type}:${id}\u0000${partKey(audience, part)}`);
      if (!answer) throw new EntityError([]);
      if (answer instanceof EntityError) throw answer;
      Object.assign(values, answer);
      for (const n of part.nested) {
        const ref = answer[n.responseKey];
        const one = (r: unknown) => {
          const refId = (r as { id?: unknown } | null)?.id;
          return refId === undefined || refId === null
            ? null
            : this.build(n.plan, String(refId), null, audience, answers);
        };
        values[n.responseKey] =
          ref === null || ref === undefined ? null : n.list ? (ref as unknown[]).map(one) : one(ref);
      }
    }
    const out: Record<string, unknown> = {};
    for (const k of entity.order) out[k] = values[k] ?? null;
    return out;
  }
}
