import { Length, Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType()
export class CreateMerchantInput {
  @Field()
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name: string;

  @Field({
    description: 'A lower-case slug such as dining, grocery, stationery, jewellery, travel, banking.',
  })
  @Matches(/^[a-z][a-z0-9-]{1,39}$/, { message: 'category must be a lower-case slug (e.g. dining, grocery)' })
  category: string;
}
