import { Field, ID, InputType, Int } from 'type-graphql';

@InputType()
export class SetEarnRateInput {
  @Field(() => ID)
  merchantId: string;

  @Field(() => Int, { description: 'REGULAR points earned per `per` minor units (rounded down).' })
  points: number;

  @Field(() => Int, { defaultValue: 100, description: 'Minor units per `points` (100 = per yuan).' })
  per: number;

  @Field(() => Int, {
    nullable: true,
    description: 'GREEN points per `greenPer` on green items; omitted: as REGULAR.',
  })
  greenPoints?: number | null;

  @Field(() => Int, { nullable: true })
  greenPer?: number | null;
}
