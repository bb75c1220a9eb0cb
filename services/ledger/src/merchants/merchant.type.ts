import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * A merchant as the ledger refers to it: the members subgraph owns it. The ledger also provides
 * its `name` on `LedgerEntry.merchant` (`@provides`), from its own copy.
 */
@ObjectType('Merchant')
@Directive('@key(fields: "id", resolvable: false)')
export class Merchant {
  @Field(() => ID)
  id: string;

  @Field()
  @Directive('@external')
  name?: string;
}
