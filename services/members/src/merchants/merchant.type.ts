import { Directive, Field, ID, ObjectType } from 'type-graphql';

@ObjectType('Merchant')
@Directive('@key(fields: "id")')
export class Merchant {
  @Field(() => ID)
  id: string;

  // Shareable: the ledger provides it too, from its copy, on its entries' merchants.
  @Field()
  @Directive('@shareable')
  name: string;

  @Field({ description: 'dining, grocery, stationery, jewellery, travel, banking, …' })
  category: string;
}
