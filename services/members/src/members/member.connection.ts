import { Field, ObjectType } from 'type-graphql';
import { PageInfo } from '@loyalty/platform';
import { Member } from './member.type';

@ObjectType()
export class MemberEdge {
  @Field()
  cursor: string;

  @Field(() => Member)
  node: Member;
}

@ObjectType()
export class MemberConnection {
  @Field(() => [MemberEdge])
  edges: MemberEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}
