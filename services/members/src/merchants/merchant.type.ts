import { Directive, Field, ID, ObjectType } from 'type-graphql';

@ObjectType('Merchant')
@Directive('@key(fields: "id")')
export class Merchant {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field({ description: 'dining, grocery, stationery, jewellery, travel, banking, …' })
  category: string;
}
