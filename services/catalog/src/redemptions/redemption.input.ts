import { MaxLength } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { PointKind } from '@loyalty/platform';

@InputType()
export class RedeemInput {
  @Field(() => ID)
  rewardId: string;

  @Field(() => ID, {
    nullable: true,
    description: 'Needed when an admin or partner redeems for a member; a member redeems for themself.',
  })
  memberId?: string | null;

  @Field(() => Int, { nullable: true, defaultValue: 1 })
  quantity?: number | null;

  @Field()
  idempotencyKey: string;

  @Field(() => String, {
    nullable: true,
    description:
      "A partner redeeming for a member gives the code that the member's app shows (issueMemberCode).",
  })
  @MaxLength(64)
  memberCode?: string | null;

  @Field(() => PointKind, {
    nullable: true,
    description: "Which points pay: the reward's kind by default; GREEN for rewards that accept either kind.",
  })
  pointKind?: PointKind | null;
}
