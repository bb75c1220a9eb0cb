import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The members subgraph's entity; this subgraph adds the referral fields. */
@ObjectType('Member')
@Directive('@key(fields: "id")')
export class Member {
  @Field(() => ID)
  id: string;
}

/** A reference to a member by id (what `Referral.inviter/invitee` return). */
export interface MemberRef {
  id: string;
}
