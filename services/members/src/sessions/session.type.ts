import { Field, ObjectType } from 'type-graphql';

@ObjectType('Session')
export class Session {
  @Field({
    description: 'Bearer token with role member; accepted everywhere a member token is (HTTP and WebSocket).',
  })
  accessToken: string;

  @Field()
  accessTokenExpiresAt: Date;

  @Field({ description: 'Single use: refreshing returns a new pair and retires this one.' })
  refreshToken: string;

  /** Resolved by {@link SessionResolver.member}. */
  memberId: string;
}
