import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: "A merchant's earn rates: points per amount in minor units, rounded down." })
export class EarnRate {
  @Field(() => ID)
  merchantId: string;

  @Field(() => Int)
  points: number;

  @Field(() => Int)
  per: number;

  @Field(() => Int)
  greenPoints: number;

  @Field(() => Int)
  greenPer: number;

  @Field({ description: 'The rates in words.' })
  description: string;
}
