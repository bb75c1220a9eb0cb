import {
  getNamedType,
  isLeafType,
  isObjectType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { collectFields, type Fragments } from './selection-fields';

/**
 * Whether a selection on an event may be resolved with operator rights for a member: it reaches
 * only the event's own member and member-independent data (see `CompiledSelection.selfContained`).
 */

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

export function isSelfContained(
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
