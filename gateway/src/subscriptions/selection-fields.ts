import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** Reading a client's selection: its fields with fragments flattened, and what it uses. */

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
export function usages(selectionSet: SelectionSetNode, fragments: Fragments) {
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
