import { Field, ID, InputType, Int } from 'type-graphql';
import { PointKind } from '@loyalty/platform';
import { RewardKind } from './reward.type';

@InputType()
export class PriceRuleInput {
  @Field({ description: 'Shown to members, e.g. "Back-to-school week".' })
  label: string;

  @Field(() => Int)
  pointsPrice: number;

  @Field()
  startsAt: Date;

  @Field({ description: 'Exclusive end of the window.' })
  endsAt: Date;
}

@InputType()
export class CreateRewardInput {
  @Field()
  name: string;

  @Field(() => RewardKind)
  kind: RewardKind;

  @Field(() => ID, {
    nullable: true,
    description: "Owning merchant; a partner's own by default. Omitted by an admin: the operator's reward.",
  })
  merchantId?: string | null;

  @Field(() => Int)
  pointsPrice: number;

  @Field(() => Int, { nullable: true, defaultValue: 0 })
  cashPrice?: number | null;

  @Field(() => PointKind, { nullable: true, defaultValue: PointKind.REGULAR })
  pointKind?: PointKind | null;

  @Field(() => Int, { nullable: true })
  stock?: number | null;

  @Field(() => Int, { nullable: true })
  perMemberLimit?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'A REGULAR-priced reward that green points may pay for too.',
  })
  acceptsAnyKind?: boolean | null;

  @Field(() => String, { nullable: true })
  terms?: string | null;

  @Field(() => String, { nullable: true, description: 'REGULAR, SILVER, GOLD or PLATINUM.' })
  minTier?: string | null;

  @Field(() => [ID], {
    nullable: true,
    description: 'Makes the reward personal: offered only to these members.',
  })
  offeredTo?: string[] | null;

  @Field(() => [PriceRuleInput], { nullable: true })
  priceRules?: PriceRuleInput[] | null;
}

@InputType()
export class UpdateRewardInput {
  @Field(() => ID)
  id: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Int, { nullable: true, description: 'New regular price.' })
  pointsPrice?: number | null;

  @Field(() => Int, { nullable: true })
  cashPrice?: number | null;

  @Field(() => String, { nullable: true })
  terms?: string | null;

  @Field(() => Int, { nullable: true, description: '0 removes the limit.' })
  perMemberLimit?: number | null;

  @Field(() => String, { nullable: true, description: 'NONE removes the tier requirement.' })
  minTier?: string | null;
}
