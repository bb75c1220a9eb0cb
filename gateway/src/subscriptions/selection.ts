import {
  getDirectiveValues,
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

/**
 * What one subscription asks for, compiled once: the resolution query that fills the client's
 * selection for an event. Subscriptions with the same selection share one (`key`), and so share
 * every event's resolution.
 */
export interface CompiledSelection {
  key: string;
  channel: Channel;
  /** The client's response key of the subscription field (its alias or name). */
  responseKey: string;
  /** The resolution query (null: the payload alone answers the selection). */
  query: string | null;
  /** The client's variables used inside the selection. */
  variables: Record<string, unknown>;
  /** For `project`: response key → payload field (scalars) or query alias (entities). */
  projection: { responseKey: string; from: 'payload' | 'query' | 'typename'; name: string }[];
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

/**
 * Compiles the client's selection on the subscription field into the query that resolves it
 * through the gateway: for `replay` channels the owning subgraph's replay field (`member(id) {
 * balanceChanges(afterSequence, first) { … } }`); for `project` channels one aliased root query
 * per entity field (`member(id) { … }`), the scalars coming from the event payload.
 */
export function compileSelection(
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
  let query: string | null;
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
    const defs = ['$rtMember: ID!', '$rtAfter: Int!', '$rtFirst: Int!', ...clientDefs].join(', ');
    query =
      `query RealtimeReplay(${defs}) { member(id: $rtMember) { ` +
      `${channel.resolution.memberField}(afterSequence: $rtAfter, first: $rtFirst) ${print(inner)} } }\n${fragmentText}`;
  } else {
    const entityFields = channel.resolution.entityFields;
    const roots: string[] = [];
    const keyDefs = new Map<string, string>();
    for (const f of collectFields(selectionSet, fragments, rawVariables)) {
      const key = f.alias?.value ?? f.name.value;
      const entity = entityFields[f.name.value];
      if (f.name.value === '__typename') {
        projection.push({ responseKey: key, from: 'typename', name: channel.returnType });
      } else if (entity && f.selectionSet) {
        const alias = `rt_${key}`;
        const variable = `rtKey_${entity.key}`;
        keyDefs.set(variable, `$${variable}: ID!`);
        roots.push(`${alias}: ${entity.rootField}(id: $${variable}) ${print(f.selectionSet)}`);
        projection.push({ responseKey: key, from: 'query', name: alias });
      } else {
        projection.push({ responseKey: key, from: 'payload', name: f.name.value });
      }
    }
    const defs = [...keyDefs.values(), ...clientDefs].join(', ');
    query = roots.length ? `query RealtimeProject(${defs}) { ${roots.join(' ')} }\n${fragmentText}` : null;
  }
  const key = [channel.field, query ?? '', JSON.stringify(projection), JSON.stringify(variables)].join(
    '\u0000',
  );
  return { key, channel, responseKey, query, variables, projection };
}
