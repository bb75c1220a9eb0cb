import { Field, ObjectType } from 'type-graphql';
import { PageInfo } from '@loyalty/platform';
import { Merchant } from './merchant.type';

@ObjectType()
export class MerchantEdge {
  @Field()
  cursor: string;

  @Field(() => Merchant)
  node: Merchant;
}

@ObjectType()
export class MerchantConnection {
  @Field(() => [MerchantEdge])
  edges: MerchantEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}
