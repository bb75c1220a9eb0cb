import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { planEntity, SupergraphIndex } from '../src/subscriptions/entity-plan';
import { fragmentsOf } from '../src/subscriptions/selection-fields';

const index = new SupergraphIndex(readFileSync(join(__dirname, '..', 'supergraph.graphql'), 'utf8'));

/** The selection set of `{ x <selection> }`, with the document's fragments. */
function selection(text: string): { set: SelectionSetNode; fragments: ReturnType<typeof fragmentsOf> } {
  const doc = parse(`query { x ${text} }`);
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  const field = op.selectionSet.selections[0] as { selectionSet: SelectionSetNode };
  return { set: field.selectionSet, fragments: fragmentsOf(doc) };
}

describe('entity plans from the supergraph', () => {
  it('fetches Member fields from the subgraph that owns them and answers id locally', () => {
    const { set, fragments } = selection('{ id displayName tier balance }');
    const plan = planEntity(index, 'Member', set, fragments)!;
    expect(plan.local).toEqual([{ responseKey: 'id', from: 'id', name: 'id' }]);
    expect(plan.parts.map((p) => [p.graph, p.selection])).toEqual([
      ['members', 'displayName tier'],
      ['ledger', 'balance'],
    ]);
    expect(plan.order).toEqual(['id', 'displayName', 'tier', 'balance']);
  });

  it('takes the fields the event carries from the event and follows references to other entities', () => {
    const { set, fragments } = selection('{ type points description merchant { name } }');
    const plan = planEntity(index, 'LedgerEntry', set, fragments, { type: 'entryType', points: 'delta' })!;
    expect(plan.local).toEqual([
      { responseKey: 'type', from: 'event', name: 'entryType' },
      { responseKey: 'points', from: 'event', name: 'delta' },
    ]);
    expect(plan.parts).toHaveLength(1);
    expect(plan.parts[0].graph).toBe('ledger');
    expect(plan.parts[0].selection).toBe('description merchant: merchant { __typename id }');
    expect(plan.parts[0].nested[0].plan.parts.map((p) => [p.graph, p.selection])).toEqual([
      ['members', 'name'],
    ]);
  });

  it('leaves selections it cannot plan to the gateway (variables, unknown fields)', () => {
    const withVariable = selection('{ history(first: $n) { edges { cursor } } }');
    expect(planEntity(index, 'Member', withVariable.set, withVariable.fragments)).toBeNull();
    const unknown = selection('{ nope }');
    expect(planEntity(index, 'Member', unknown.set, unknown.fragments)).toBeNull();
  });
});
