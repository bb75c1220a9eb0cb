import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** A stub of the members subgraph's `Merchant`: the catalog only knows its id. */
@ObjectType('Merchant')
@Directive('@key(fields: "id", resolvable: false)')
export class Merchant {
  @Field(() => ID)
  id: string;
}
