import { readFileSync } from 'node:fs';
import { buildSchema, getOperationAST, parse, type FieldNode } from 'graphql';
import { join } from 'node:path';
import { CHANNELS } from '../src/subscriptions/channels';
import { compileSelection } from '../src/subscriptions/selection';
import { collectFields, fragmentsOf } from '../src/subscriptions/selection-fields';
import { extendWithSubscriptions } from '../src/subscriptions/schema';

// The contract's own schema, plus the ledger's replay field the realtime channel resolves through.
const api = buildSchema(
  readFileSync(join(__dirname, '..', '..', 'contract', 'core.graphql'), 'utf8').replace(
    /type Subscription \{[\s\S]*?\n\}/,
    '',
  ) + '\nextend type Member { balanceChanges(afterSequence: Int!, first: Int): [BalanceChange!]! }',
);
const { schema, channels } = extendWithSubscriptions(api, CHANNELS);

const flat = (q: string | null) => (q ?? '').replace(/\s+/g, ' ');

function compile(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = getOperationAST(document)!;
  const fragments = fragmentsOf(document);
  const [field] = collectFields(operation.selectionSet, fragments, variables) as FieldNode[];
  return compileSelection(schema, channels.get(field.name.value)!, operation, field, fragments, variables);
}

describe('compiled subscription selections', () => {
  it('extends the API schema with the contract’s Subscription fields', () => {
    expect(Object.keys(schema.getSubscriptionType()!.getFields())).toEqual([
      'balanceChanged',
      'pointsExpiring',
    ]);
  });

  it('resolves a batch of balance changes through the ledger’s replay field, one aliased root each', () => {
    const s = compile('subscription { balanceChanged { delta member { displayName } } }');
    expect(flat(s.query(2))).toContain(
      'b1: member(id: $m1) { balanceChanges(afterSequence: $a1, first: $f1) { rt_sequence_: sequence delta',
    );
    expect(flat(s.query(2))).toContain('$m0: ID!, $a0: Int!, $f0: Int!, $m1: ID!');
    // Same selection, same key (shared resolutions); a different selection, another.
    expect(compile('subscription { balanceChanged { delta member { displayName } } }').key).toBe(s.key);
    expect(compile('subscription { balanceChanged { delta } }').key).not.toBe(s.key);
  });

  it('answers live events from the payload when the selection asks only for what the event carries', () => {
    expect(
      compile('subscription { balanceChanged { __typename n: sequence delta balance kind } }')
        .liveFromPayload,
    ).toBe(true);
    expect(compile('subscription { balanceChanged { sequence member { id } } }').liveFromPayload).toBe(false);
    expect(compile('subscription { balanceChanged { sequence entry { type } } }').liveFromPayload).toBe(
      false,
    );
  });

  it('keeps only the fragments and variables the selection uses', () => {
    const s = compile(
      `subscription($m: ID, $k: PointKind) { balanceChanged(memberId: $m) { ...F } }
       fragment F on BalanceChange { member { balance(kind: $k) } }`,
      { m: '1', k: 'GREEN' },
    );
    expect(s.variables).toEqual({ k: 'GREEN' });
    expect(s.query(1)).toContain('$k: PointKind');
    expect(s.query(1)).not.toContain('$m:');
    expect(s.query(1)).toContain('fragment F on BalanceChange');
  });

  it('answers expiry warnings from the event, fetching only the member', () => {
    const scalarsOnly = compile('subscription { pointsExpiring { points daysLeft } }');
    expect(scalarsOnly.query(1)).toBeNull();
    const withMember = compile('subscription { pointsExpiring { points who: member { displayName } } }');
    expect(flat(withMember.query(1))).toContain('b0_who: member(id: $k0_memberId) { displayName }');
  });

  it('treats selections reaching other members as not self-contained (resolved with the member’s own rights)', () => {
    expect(
      compile(
        'subscription { balanceChanged { entry { merchant { name } } member { tier balances { available } } } }',
      ).selfContained,
    ).toBe(true);
    expect(
      compile('subscription { balanceChanged { member { referrals { invitee { phone } } } } }').selfContained,
    ).toBe(false);
    expect(
      compile('subscription { balanceChanged { member { redemptions { edges { node { id } } } } } }')
        .selfContained,
    ).toBe(false);
    expect(compile('subscription { pointsExpiring { member { displayName } } }').selfContained).toBe(true);
  });
});
