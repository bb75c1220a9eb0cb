import {
  getDirectiveValues,
  getNamedType,
  isLeafType,
  isObjectType,
  type GraphQLObjectType,
  type GraphQLSchema,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { Channel } from './channels';

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
}

export type Fragments = Record<string, FragmentDefinitionNode>;

export function fragmentsOf(document: DocumentNode): Fragments {
  return Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
}

function included(node: SelectionNode, variables: Record<string, unknown>): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
  return include?.if !== false;
}

/** The fields of a selection set, fragments flattened (graphql-js CollectFields, simplified). */
export function collectFields(
  selectionSet: SelectionSetNode,
  fragments: Fragments,
  variables: Record<string, unknown>,
  out: FieldNode[] = [],
): FieldNode[] {
  for (const s of selectionSet.selections) {
    if (!included(s, variables)) continue;
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) collectFields(s.selectionSet, fragments, variables, out);
    else {
      const fragment = fragments[s.name.value];
      if (fragment) collectFields(fragment.selectionSet, fragments, variables, out);
    }
  }
  return out;
}

/** Names of fragments and variables a selection set uses, transitively. */
function usages(selectionSet: SelectionSetNode, fragments: Fragments) {
  const fragmentNames = new Set<string>();
  const variableNames = new Set<string>();
  const walk = (node: SelectionSetNode | FragmentDefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        if (fragmentNames.has(spread.name.value)) return;
        fragmentNames.add(spread.name.value);
        const f = fragments[spread.name.value];
        if (f) walk(f);
      },
      Variable(v) {
        variableNames.add(v.name.value);
      },
    });
  walk(selectionSet);
  return { fragmentNames, variableNames };
}

/** Types whose every field a member may read about their own event (see `selfContained`). */
const SELF_TYPES = new Set([
  'BalanceChange',
  'ExpiryWarning',
  'LedgerEntry',
  'Merchant',
  'PointBalance',
  'ExpiringPoints',
  'LedgerEntryConnection',
  'LedgerEntryEdge',
  'PageInfo',
]);

function isSelfContained(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  fragments: Fragments,
  variables: Record<string, unknown>,
  memberAllowed: boolean,
): boolean {
  return collectFields(selectionSet, fragments, variables).every((f) => {
    if (f.name.value === '__typename') return true;
    const def = type.getFields()[f.name.value];
    if (!def) return false;
    const named = getNamedType(def.type);
    if (isLeafType(named)) return true;
    if (!isObjectType(named) || !f.selectionSet) return false;
    if (named.name === 'Member') {
      // Only the event's own member, directly under the event; none reached from it.
      return memberAllowed && isSelfContained(schema, named, f.selectionSet, fragments, variables, false);
    }
    return (
      SELF_TYPES.has(named.name) &&
      isSelfContained(schema, named, f.selectionSet, fragments, variables, false)
    );
  });
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
  const clientDefs = variableDefs.map((d) => print(d));
  const fragmentText = [...fragmentNames]
    .filter((n) => fragments[n])
    .map((n) => print(fragments[n]))
    .join('\n');
  const projection: CompiledSelection['projection'] = [];
  const entityKeys: string[] = [];
  let root: ((i: number) => { defs: string[]; fields: string }) | null;
  if (channel.resolution.kind === 'replay') {
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
    const memberField = channel.resolution.memberField;
    root = (i) => ({
      defs: [`$m${i}: ID!`, `$a${i}: Int!`, `$f${i}: Int!`],
      fields: `b${i}: member(id: $m${i}) { ${memberField}(afterSequence: $a${i}, first: $f${i}) ${innerText} }`,
    });
  } else {
    const entityFields = channel.resolution.entityFields;
    const roots: { alias: string; rootField: string; key: string; selection: string }[] = [];
    for (const f of collectFields(selectionSet, fragments, rawVariables)) {
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
    root = roots.length
      ? (i) => ({
          defs: entityKeys.map((k) => `$k${i}_${k}: ID!`),
          fields: roots
            .map((r) => `b${i}${r.alias}: ${r.rootField}(id: $k${i}_${r.key}) ${r.selection}`)
            .join(' '),
        })
      : null;
  }
  const queries = new Map<number, string>();
  const query = (n: number): string | null => {
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
  const returnType = schema.getType(channel.returnType);
  const selfContained =
    isObjectType(returnType) &&
    isSelfContained(schema, returnType, selectionSet, fragments, rawVariables, true);
  let liveFromPayload = projection.length > 0 && !root;
  if (channel.resolution.kind === 'replay' && channel.payloadFields) {
    const fields = collectFields(selectionSet, fragments, rawVariables);
    const payloadFields = channel.payloadFields;
    if (
      fields.every((f) => f.name.value === '__typename' || (payloadFields[f.name.value] && !f.selectionSet))
    ) {
      liveFromPayload = true;
      for (const f of fields) {
        const key = f.alias?.value ?? f.name.value;
        projection.push(
          f.name.value === '__typename'
            ? { responseKey: key, from: 'typename', name: channel.returnType }
            : { responseKey: key, from: 'payload', name: payloadFields[f.name.value] },
        );
      }
    }
  }
  const key = [channel.field, query(1) ?? '', JSON.stringify(projection), JSON.stringify(variables)].join(
    '\u0000',
  );
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
  };
}
