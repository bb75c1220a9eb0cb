import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** A member as the graph shows it; contact fields are masked per caller by the resolver. */
@ObjectType('Member')
@Directive('@key(fields: "id")')
export class Member {
  @Field(() => ID)
  id: string;

  @Field()
  displayName: string;

  @Field()
  joinedAt: Date;
}
