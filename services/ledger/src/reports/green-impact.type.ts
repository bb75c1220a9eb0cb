import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class GreenCategoryImpact {
  @Field()
  category: string;

  @Field(() => Int, { description: 'Spend on green items of this category, minor units.' })
  amount: number;

  @Field(() => Int)
  points: number;

  @Field(() => Int, {
    description: 'Estimated CO2e avoided, grams, from the configured per-category factors.',
  })
  co2eGrams: number;
}

@ObjectType({ description: "A member's green consumption, usable as proof of eco actions." })
export class GreenImpactReport {
  @Field(() => Date, { nullable: true })
  from: Date | null;

  @Field(() => Date, { nullable: true })
  to: Date | null;

  @Field(() => Int)
  greenPointsEarned: number;

  @Field(() => Int)
  greenPointsRedeemed: number;

  @Field(() => Int)
  co2eGrams: number;

  @Field(() => [GreenCategoryImpact])
  byCategory: GreenCategoryImpact[];
}
