import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The members subgraph's `Member`; campaigns adds `purchases` to it. */
@ObjectType('Member')
@Directive('@key(fields: "id")')
export class MemberRef {
  @Field(() => ID)
  id: string;
}

/** The members subgraph's `Merchant`, referenced by id (members resolves the rest). */
@ObjectType('Merchant')
@Directive('@key(fields: "id", resolvable: false)')
export class MerchantRef {
  @Field(() => ID)
  id: string;
}
