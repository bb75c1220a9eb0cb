import { Field, ObjectType } from 'type-graphql';

@ObjectType('MemberCode', {
  description:
    "A one-time code that a member's app shows at a partner's till: the member's consent to a redemption.",
})
export class MemberCode {
  @Field()
  code: string;

  @Field()
  expiresAt: Date;
}
