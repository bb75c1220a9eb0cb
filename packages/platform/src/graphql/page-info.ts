import { Directive, Field, ObjectType } from 'type-graphql';

/** Relay-style page info; `@shareable` because several subgraphs return connections. */
@ObjectType()
@Directive('@shareable')
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}
