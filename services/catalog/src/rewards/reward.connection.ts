import { Directive, Field, ObjectType } from 'type-graphql';
import { INHERITS_REUSE, PageInfo } from '@loyalty/platform';
import { Reward } from './reward.type';

@ObjectType('RewardEdge')
@Directive(INHERITS_REUSE)
export class RewardEdge {
  @Field()
  cursor: string;

  @Field(() => Reward)
  node: Reward;
}

@ObjectType('RewardConnection')
@Directive(INHERITS_REUSE)
export class RewardConnection {
  @Field(() => [RewardEdge])
  edges: RewardEdge[];

  @Field(() => PageInfo)
  @Directive(INHERITS_REUSE)
  pageInfo: PageInfo;
}
