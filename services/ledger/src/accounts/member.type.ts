import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { PointKind } from '@loyalty/platform';

/** The members subgraph's `Member`, extended here with balances, history and expiry. */
@ObjectType('Member')
@Directive('@key(fields: "id")')
export class Member {
  @Field(() => ID)
  id: string;
}

@ObjectType()
export class PointBalance {
  @Field(() => PointKind)
  kind: PointKind;

  @Field(() => Int)
  available: number;
}

@ObjectType()
export class ExpiringPoints {
  @Field(() => PointKind)
  kind: PointKind;

  @Field(() => Int)
  points: number;

  @Field()
  expiresAt: Date;
}
