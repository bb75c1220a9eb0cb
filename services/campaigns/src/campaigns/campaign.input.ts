import { Field, Float, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { PointKind } from '@loyalty/platform';

export enum FirstOrderScope {
  PLATFORM = 'PLATFORM',
  MERCHANT = 'MERCHANT',
}

registerEnumType(FirstOrderScope, {
  name: 'FirstOrderScope',
  description:
    "Whose first order a first-order campaign rewards: the member's first on the platform, or at the merchant.",
});

@InputType()
export class CreateCampaignInput {
  @Field()
  name: string;

  @Field()
  startsAt: Date;

  @Field(() => Date, { nullable: true, description: 'Exclusive end; omitted: until ended.' })
  endsAt?: Date | null;

  @Field(() => ID, { nullable: true, description: 'Limit to one merchant; omitted: every merchant.' })
  merchantId?: string | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Multiplies the base points of qualifying purchases (2 = double points).',
  })
  multiplier?: number | null;

  @Field(() => Int, { nullable: true, description: 'Flat bonus points for each qualifying purchase.' })
  bonusPoints?: number | null;

  @Field(() => PointKind, {
    nullable: true,
    description:
      'The kind of points the multiplier and bonus give: REGULAR (default) multiplies the base points, GREEN the green points of eco-friendly items (and applies only to purchases with such items).',
  })
  pointKind?: PointKind | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only merchants of this category (dining, grocery, …).',
  })
  merchantCategory?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Only members of these tiers (REGULAR, SILVER, GOLD, PLATINUM).',
  })
  tiers?: string[] | null;

  @Field(() => [Int], {
    nullable: true,
    description: 'Only on these ISO weekdays (1 = Monday … 7 = Sunday), local time.',
  })
  weekdays?: number[] | null;

  @Field(() => [Int], {
    nullable: true,
    description: 'Only on these days of the month (local market days), local time.',
  })
  monthDays?: number[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'IANA time zone for weekdays and market days; default Asia/Shanghai.',
  })
  timeZone?: string | null;

  @Field(() => FirstOrderScope, {
    nullable: true,
    description: "Only the member's first order (first-order bonus).",
  })
  firstOrderOnly?: FirstOrderScope | null;

  @Field(() => Int, { nullable: true, description: 'Only purchases of at least this amount (minor units).' })
  minAmount?: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "Personal benefit plan (R8): bonusPoints once, on the purchase that brings the member's net spend in the window (at the covered merchants) to this amount (minor units).",
  })
  spendTarget?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'A sign-up campaign: points each new member gets once on registering (at most 500).',
  })
  signUpBonus?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'At most this many points per member from this campaign.',
  })
  perMemberCap?: number | null;

  @Field(() => Int, { nullable: true, description: 'At most this many points in total from this campaign.' })
  budget?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Own validity of this campaign's points (ISO-8601 duration or NEVER); omitted: the programme validity.",
  })
  validity?: string | null;
}

@InputType()
export class UpdateCampaignInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Date, { nullable: true, description: 'A new end; not in the past.' })
  endsAt?: Date | null;

  @Field(() => Int, { nullable: true, description: 'A new budget; not below the points already given.' })
  budget?: number | null;

  @Field(() => Int, { nullable: true })
  perMemberCap?: number | null;
}
