import { Field, ObjectType } from 'type-graphql';
import { PageInfo } from '@loyalty/platform';
import { Reward } from './reward.type';

@ObjectType('RewardEdge')
export class RewardEdge {
  @Field()
  cursor: string;

  @Field(() => Reward)
  node: Reward;
}

@ObjectType('RewardConnection')
export class RewardConnection {
  @Field(() => [RewardEdge])
  edges: RewardEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}
