import {
  isObjectType,
  Kind,
  print,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { Language } from '@loyalty/platform';
import type { Channel } from './channels';
import { isSelfContained } from './self-contained';
import { collectFields, usages, type Fragments } from './selection-fields';

/** Alias under which the resolution query asks for `sequence` (stripped before delivery). */
export const SEQUENCE_ALIAS = 'rt_sequence_';

/** Most events one resolution query carries (one aliased root per event). */
export const MAX_BATCH = 64;

/**
 * What one subscription asks for, compiled once: the resolution query that fills the client's
 * selection for a batch of events. Subscriptions with the same selection share one (`key`), and so
 * share every event's resolution.
 */
export interface CompiledSelection {
  key: string;
  channel: Channel;
  /** The client's response key of the subscription field (its alias or name). */
  responseKey: string;
  /** The client's variables used inside the selection. */
  variables: Record<string, unknown>;
  /** The resolution query for `n` events (null: the payload alone answers the selection). */
  query(n: number): string | null;
  /** For `project`: response key → payload field (scalars), query alias suffix (entities) or typename. */
  projection: { responseKey: string; from: 'payload' | 'query' | 'typename'; name: string }[];
  /** For `project`: entity key variables, `k<i>_<payloadField>`. */
  entityKeys: string[];
  /**
   * The selection reaches only the event's own member and member-independent data (no other
   * member through referrals, redemptions…): resolving it with operator rights shows a member
   * nothing they could not read themselves, so events of many members can share one query.
   */
  selfContained: boolean;
  /** The selection asks only for fields the live event carries: answer it without a query. */
  liveFromPayload: boolean;
  /** The client's fields on the subscription field, fragments flattened (bulk live payloads). */
  fields: readonly FieldNode[];
  fragments: Fragments;
  /** The subscriber's language, for channels that {@link Channel.localize} their payload. */
  language: Language;
}

type Projection = CompiledSelection['projection'];

/** One event's aliased root(s) in a batched resolution query, with the variables they declare. */
type Root = (i: number) => { defs: string[]; fields: string };

/** `replay`: the owning subgraph's replay field under `member(id)`, asking for `sequence` too. */
function replayRoot(memberField: string, selectionSet: SelectionSetNode): Root {
  const inner: SelectionSetNode = {
    kind: Kind.SELECTION_SET,
    selections: [
      {
        kind: Kind.FIELD,
        alias: { kind: Kind.NAME, value: SEQUENCE_ALIAS },
        name: { kind: Kind.NAME, value: 'sequence' },
      },
      ...selectionSet.selections,
    ],
  };
  const innerText = print(inner);
  return (i) => ({
    defs: [`$m${i}: ID!`, `$a${i}: Int!`, `$f${i}: Int!`],
    fields: `b${i}: member(id: $m${i}) { ${memberField}(afterSequence: $a${i}, first: $f${i}) ${innerText} }`,
  });
}

/**
 * `project`: scalars come from the payload, each entity field from its own root query keyed by a
 * payload field. Fills `projection` and `entityKeys`; null when no query is needed.
 */
function projectRoots(
  channel: Channel,
  fields: readonly FieldNode[],
  projection: Projection,
  entityKeys: string[],
): Root | null {
  if (channel.resolution.kind !== 'project') return null;
  const entityFields = channel.resolution.entityFields;
  const roots: { alias: string; rootField: string; key: string; selection: string }[] = [];
  for (const f of fields) {
    const key = f.alias?.value ?? f.name.value;
    const entity = entityFields[f.name.value];
    if (f.name.value === '__typename') {
      projection.push({ responseKey: key, from: 'typename', name: channel.returnType });
    } else if (entity && f.selectionSet) {
      const alias = `_${key}`;
      if (!entityKeys.includes(entity.key)) entityKeys.push(entity.key);
      roots.push({ alias, rootField: entity.rootField, key: entity.key, selection: print(f.selectionSet) });
      projection.push({ responseKey: key, from: 'query', name: alias });
    } else {
      projection.push({ responseKey: key, from: 'payload', name: f.name.value });
    }
  }
  if (!roots.length) return null;
  return (i) => ({
    defs: entityKeys.map((k) => `$k${i}_${k}: ID!`),
    fields: roots.map((r) => `b${i}${r.alias}: ${r.rootField}(id: $k${i}_${r.key}) ${r.selection}`).join(' '),
  });
}

/**
 * For a `replay` channel whose event carries the fields asked for: the projection that answers a
 * live event from its payload alone (null when the selection asks for more).
 */
function payloadProjection(channel: Channel, fields: readonly FieldNode[]): Projection | null {
  const payloadFields = channel.payloadFields;
  if (channel.resolution.kind !== 'replay' || !payloadFields) return null;
  const carried = fields.every(
    (f) => f.name.value === '__typename' || (payloadFields[f.name.value] && !f.selectionSet),
  );
  if (!carried) return null;
  return fields.map((f) => {
    const key = f.alias?.value ?? f.name.value;
    return f.name.value === '__typename'
      ? { responseKey: key, from: 'typename', name: channel.returnType }
      : { responseKey: key, from: 'payload', name: payloadFields[f.name.value] };
  });
}

/** The resolution query for `n` events, built once per batch size. */
function queryFor(channel: Channel, root: Root | null, clientDefs: string[], fragmentText: string) {
  const queries = new Map<number, string>();
  return (n: number): string | null => {
    if (!root) return null;
    let text = queries.get(n);
    if (!text) {
      const parts = Array.from({ length: n }, (_, i) => root(i));
      const defs = [...parts.flatMap((p) => p.defs), ...clientDefs].join(', ');
      text = `query Realtime_${channel.field}(${defs}) { ${parts.map((p) => p.fields).join(' ')} }\n${fragmentText}`;
      queries.set(n, text);
    }
    return text;
  };
}

/**
 * Compiles the client's selection on the subscription field into the query that resolves it
 * through the gateway: for `replay` channels the owning subgraph's replay field (`member(id) {
 * balanceChanges(afterSequence, first) { … } }`); for `project` channels one aliased root query
 * per entity field (`member(id) { … }`), the scalars coming from the event payload. Either way one
 * query carries a batch of events, one aliased root (`b<i>…`) per event.
 */
export function compileSelection(
  schema: GraphQLSchema,
  channel: Channel,
  operation: OperationDefinitionNode,
  field: FieldNode,
  fragments: Fragments,
  rawVariables: Record<string, unknown>,
  language: Language = 'en',
): CompiledSelection {
  const responseKey = field.alias?.value ?? field.name.value;
  const selectionSet = field.selectionSet as SelectionSetNode;
  const { fragmentNames, variableNames } = usages(selectionSet, fragments);
  const variableDefs: VariableDefinitionNode[] = (operation.variableDefinitions ?? []).filter((d) =>
    variableNames.has(d.variable.name.value),
  );
  const variables: Record<string, unknown> = {};
  for (const d of variableDefs) {
    const name = d.variable.name.value;
    if (name in rawVariables) variables[name] = rawVariables[name];
  }
  const fragmentText = [...fragmentNames]
    .filter((n) => fragments[n])
    .map((n) => print(fragments[n]))
    .join('\n');
  const fields = collectFields(selectionSet, fragments, rawVariables);
  const projection: Projection = [];
  const entityKeys: string[] = [];
  const root =
    channel.resolution.kind === 'replay'
      ? replayRoot(channel.resolution.memberField, selectionSet)
      : projectRoots(channel, fields, projection, entityKeys);
  const query = queryFor(
    channel,
    root,
    variableDefs.map((d) => print(d)),
    fragmentText,
  );
  const returnType = schema.getType(channel.returnType);
  const selfContained =
    isObjectType(returnType) &&
    isSelfContained(schema, returnType, selectionSet, fragments, rawVariables, true);
  const fromPayload = payloadProjection(channel, fields);
  if (fromPayload) projection.push(...fromPayload);
  const liveFromPayload = fromPayload !== null || (projection.length > 0 && !root);
  const key = [
    channel.field,
    query(1) ?? '',
    JSON.stringify(projection),
    JSON.stringify(variables),
    ...(channel.localize ? [language] : []),
  ].join('\u0000');
  return {
    key,
    channel,
    responseKey,
    variables,
    query,
    projection,
    entityKeys,
    selfContained,
    liveFromPayload,
    fields,
    fragments,
    language,
  };
}
