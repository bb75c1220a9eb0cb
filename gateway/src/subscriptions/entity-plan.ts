import {
  Kind,
  parse,
  print,
  type ConstDirectiveNode,
  type FieldNode,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
  type SelectionSetNode,
  type TypeNode,
} from 'graphql';
import { collectFields, usages, type Fragments } from './selection-fields';

/**
 * Plans for fetching the entities a live payload reaches straight from their subgraphs with
 * `_entities` (no gateway query, no root hop), read off the supergraph's `join__` directives. Only
 * the plain cases are planned — object types with an `id` key, fields owned by one subgraph
 * without `@requires`, no variables, no abstract types — anything else returns null and the
 * payload is resolved through the gateway as before.
 */

interface FieldInfo {
  type: string;
  list: boolean;
  /** Subgraphs that can resolve the field by itself (empty: every subgraph of the type). */
  graphs: string[];
}

interface TypeInfo {
  /** Subgraph → its `@key` is `id` and resolvable there (an `_entities` fetch is possible). */
  resolvable: Set<string>;
  /** Subgraphs that know the type with an `id` key (they can return a reference to it). */
  keyed: Set<string>;
  graphs: Set<string>;
  fields: Map<string, FieldInfo>;
}

/** The supergraph's object types, by the subgraph (service name) that owns each field. */
export class SupergraphIndex {
  readonly types = new Map<string, TypeInfo>();

  constructor(supergraphSdl: string) {
    const doc = parse(supergraphSdl);
    const graphNames = new Map<string, string>();
    for (const d of doc.definitions) {
      if (d.kind !== Kind.ENUM_TYPE_DEFINITION || d.name.value !== 'join__Graph') continue;
      for (const v of d.values ?? []) {
        const name = arg(
          v.directives?.find((x) => x.name.value === 'join__graph'),
          'name',
        );
        if (typeof name === 'string') graphNames.set(v.name.value, name);
      }
    }
    const graphOf = (d: ConstDirectiveNode | undefined) => {
      const g = arg(d, 'graph');
      return typeof g === 'string' ? (graphNames.get(g) ?? g) : undefined;
    };
    for (const d of doc.definitions) {
      if (d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
      const node = d as ObjectTypeDefinitionNode | ObjectTypeExtensionNode;
      let info = this.types.get(node.name.value);
      if (!info) {
        info = { resolvable: new Set(), keyed: new Set(), graphs: new Set(), fields: new Map() };
        this.types.set(node.name.value, info);
      }
      for (const dir of node.directives ?? []) {
        if (dir.name.value !== 'join__type') continue;
        const graph = graphOf(dir);
        if (!graph) continue;
        info.graphs.add(graph);
        if (arg(dir, 'key') === 'id') {
          info.keyed.add(graph);
          if (arg(dir, 'resolvable') !== false) info.resolvable.add(graph);
        }
      }
      for (const f of node.fields ?? []) {
        const joins = (f.directives ?? []).filter((x) => x.name.value === 'join__field');
        const usable = joins.filter(
          (j) => !arg(j, 'requires') && arg(j, 'external') !== true && arg(j, 'usedOverridden') !== true,
        );
        info.fields.set(f.name.value, {
          ...namedType(f.type),
          // A field with join__field entries that are all external/requires: no simple owner.
          graphs:
            joins.length && !usable.length ? ['-'] : usable.map(graphOf).filter((g): g is string => !!g),
        });
      }
    }
  }
}

function arg(d: ConstDirectiveNode | undefined, name: string): unknown {
  const a = d?.arguments?.find((x) => x.name.value === name);
  if (!a) return undefined;
  const v = a.value;
  if (v.kind === Kind.STRING || v.kind === Kind.ENUM) return v.value;
  if (v.kind === Kind.BOOLEAN) return v.value;
  return undefined;
}

function namedType(t: TypeNode): { type: string; list: boolean } {
  let list = false;
  let cur = t;
  while (cur.kind !== Kind.NAMED_TYPE) {
    if (cur.kind === Kind.LIST_TYPE) list = true;
    cur = cur.type;
  }
  return { type: cur.name.value, list };
}

/** A reference to another entity inside one subgraph's answer. */
export interface NestedEntity {
  responseKey: string;
  list: boolean;
  plan: EntityPlan;
}

/** What one subgraph answers about an entity: its selection, and references to follow. */
export interface GraphPart {
  graph: string;
  /** `... on Type { <selection> }` for `_entities`. */
  selection: string;
  nested: NestedEntity[];
}

/** How to build one entity of a payload. */
export interface EntityPlan {
  type: string;
  /** Response keys answered without a fetch: `__typename`, the `id` key, or an event field. */
  local: { responseKey: string; from: 'typename' | 'id' | 'event'; name: string }[];
  parts: GraphPart[];
  /** Response keys in the client's order. */
  order: string[];
}

/**
 * Plans an entity selection (`member { displayName tier }`); `fromEvent` names the fields the
 * event itself carries for this entity (field → payload field). Null when not plannable.
 */
export function planEntity(
  index: SupergraphIndex,
  type: string,
  selectionSet: SelectionSetNode,
  fragments: Fragments,
  fromEvent: Record<string, string> = {},
): EntityPlan | null {
  const info = index.types.get(type);
  if (!info || !info.resolvable.size) return null;
  if (usages(selectionSet, fragments).variableNames.size) return null;
  for (const s of selectionSet.selections) {
    // Type conditions are only meaningful on abstract types; plain object types only here.
    if (s.kind === Kind.INLINE_FRAGMENT && s.typeCondition && s.typeCondition.name.value !== type)
      return null;
  }
  const plan: EntityPlan = { type, local: [], parts: [], order: [] };
  const byGraph = new Map<string, { fields: string[]; nested: NestedEntity[] }>();
  for (const f of collectFields(selectionSet, fragments, {})) {
    const key = f.alias?.value ?? f.name.value;
    if (plan.order.includes(key)) return null; // the same key twice (merged fields): not planned
    plan.order.push(key);
    const name = f.name.value;
    if (name === '__typename') {
      plan.local.push({ responseKey: key, from: 'typename', name: type });
      continue;
    }
    if (!f.arguments?.length && fromEvent[name]) {
      plan.local.push({ responseKey: key, from: 'event', name: fromEvent[name] });
      continue;
    }
    if (name === 'id' && !f.arguments?.length) {
      plan.local.push({ responseKey: key, from: 'id', name });
      continue;
    }
    const field = info.fields.get(name);
    if (!field) return null;
    const candidates = (field.graphs.length ? field.graphs : [...info.graphs]).filter((g) =>
      info.resolvable.has(g),
    );
    const graph = candidates.find((g) => byGraph.has(g)) ?? candidates[0];
    if (!graph) return null;
    let part = byGraph.get(graph);
    if (!part) byGraph.set(graph, (part = { fields: [], nested: [] }));
    const target = index.types.get(field.type);
    if (!f.selectionSet) {
      part.fields.push(print(f));
    } else if (target?.keyed.has(graph) && target.resolvable.size) {
      // Another entity: this subgraph returns its reference, its own plan fetches the rest.
      const nested = planEntity(index, field.type, f.selectionSet, fragments);
      if (!nested) return null;
      part.nested.push({ responseKey: key, list: field.list, plan: nested });
      part.fields.push(`${key}: ${name}${argsOf(f)} { __typename id }`);
    } else if (target && valueTypeIn(index, field.type, f.selectionSet, fragments, graph)) {
      part.fields.push(print(f));
    } else {
      return null;
    }
  }
  for (const [graph, part] of byGraph) {
    plan.parts.push({ graph, selection: part.fields.join(' '), nested: part.nested });
  }
  return plan;
}

const argsOf = (f: FieldNode) =>
  f.arguments?.length ? `(${f.arguments.map((a) => print(a)).join(', ')})` : '';

/** A value type (no key) selected inside `graph`: every field must be resolvable there. */
function valueTypeIn(
  index: SupergraphIndex,
  type: string,
  selectionSet: SelectionSetNode,
  fragments: Fragments,
  graph: string,
): boolean {
  const info = index.types.get(type);
  if (!info || info.keyed.size || !info.graphs.has(graph)) return false;
  return collectFields(selectionSet, fragments, {}).every((f) => {
    if (f.name.value === '__typename') return true;
    const field = info.fields.get(f.name.value);
    if (!field || (field.graphs.length && !field.graphs.includes(graph))) return false;
    return !f.selectionSet || valueTypeIn(index, field.type, f.selectionSet, fragments, graph);
  });
}
