import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Where a member stands in the tier ladder, and what the next tier takes.' })
export class TierStatus {
  @Field()
  tier: string;

  @Field(() => Int, { description: 'Net spend in minor units over the rolling window.' })
  rollingSpend: number;

  @Field(() => Int)
  windowDays: number;

  @Field(() => String, { nullable: true })
  nextTier: string | null;

  @Field(() => Int, { nullable: true, description: 'Minor units still to spend to reach the next tier.' })
  spendToNextTier: number | null;
}

@ObjectType({ description: 'A tier and what it takes.' })
export class TierRule {
  @Field()
  tier: string;

  @Field(() => Int, { description: 'Minimum net spend in minor units over the window.' })
  minRollingSpend: number;

  @Field(() => Int)
  windowDays: number;
}
