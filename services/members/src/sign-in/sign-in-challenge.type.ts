import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType('SignInChallenge')
export class SignInChallenge {
  @Field(() => ID)
  id: string;

  @Field()
  expiresAt: Date;

  @Field(() => String, {
    nullable: true,
    description:
      'Outside production only: the one-time code itself, so that sandboxes and tests can sign in without a ' +
      'phone. Always null in production, and null for an unknown phone or email.',
  })
  devCode: string | null;
}
