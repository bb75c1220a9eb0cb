import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { INHERITS_REUSE } from '@loyalty/platform';

/** A stub of the members subgraph's `Merchant`: the catalog only knows its id. */
@ObjectType('Merchant')
@Directive('@key(fields: "id", resolvable: false)')
@Directive(INHERITS_REUSE)
export class Merchant {
  @Field(() => ID)
  id: string;
}
