import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description: 'The referral programme as disclosed to members (R5): rewards, conditions, limits.',
})
export class ReferralProgramme {
  @Field(() => Int, { description: 'REGULAR points for the inviter when a friend qualifies.' })
  inviterPoints: number;

  @Field(() => Int, { description: 'REGULAR points for the invited friend when they qualify.' })
  inviteePoints: number;

  @Field(() => Int, { description: "Minor units off the invited friend's first order (0: none)." })
  inviteeDiscount: number;

  @Field(() => Int, { description: 'Smallest first purchase (minor units) that qualifies.' })
  minimumPurchaseAmount: number;

  @Field(() => Int, { description: 'Rewarded referrals per inviter per period (0: unlimited).' })
  capPerPeriod: number;

  @Field({ description: 'ISO-8601 duration of the cap period.' })
  capPeriod: string;

  @Field({
    description:
      'ISO-8601 duration after the qualifying purchase within which a refund reverses the rewards.',
  })
  refundWindow: string;

  @Field(() => [String], { description: 'The rules in words.' })
  terms: string[];
}
