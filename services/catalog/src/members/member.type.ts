import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The members subgraph's `Member`, extended here with redemptions and eligible rewards. */
@ObjectType('Member')
@Directive('@key(fields: "id")')
export class Member {
  @Field(() => ID)
  id: string;
}

export interface MemberRef {
  id: string;
}
