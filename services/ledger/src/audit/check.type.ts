import { Field, Int, ObjectType } from 'type-graphql';

/** The invariant check: every cached value re-derived from the immutable trail. */
@ObjectType()
export class LedgerCheckReport {
  @Field(() => Int)
  accountsChecked: number;

  @Field(() => Int)
  membersChecked: number;

  @Field(() => Int)
  lotsChecked: number;

  @Field(() => [String], { description: 'Each mismatch found; empty when the ledger is consistent.' })
  problems: string[];

  @Field()
  ok: boolean;
}
