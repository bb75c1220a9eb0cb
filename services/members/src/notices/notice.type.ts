import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '@loyalty/platform';
import { NoticeKind } from './notice.rules';

registerEnumType(NoticeKind, { name: 'NoticeKind' });

@ObjectType({ description: 'Something the platform tells one member, kept until read, and pushed live.' })
export class Notice {
  @Field(() => ID)
  id: string;

  @Field(() => NoticeKind)
  kind: NoticeKind;

  @Field({ description: 'Short, in words a member understands.' })
  title: string;

  @Field()
  body: string;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  readAt: Date | null;
}

@ObjectType()
export class NoticeEdge {
  @Field()
  cursor: string;

  @Field(() => Notice)
  node: Notice;
}

@ObjectType()
export class NoticeConnection {
  @Field(() => [NoticeEdge])
  edges: NoticeEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}
