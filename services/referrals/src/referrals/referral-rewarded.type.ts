import { Field, Int, ObjectType } from 'type-graphql';
import { Referral } from './referral.type';

/**
 * Payload of the gateway's `referralRewarded` subscription (REQUIREMENTS T3), pushed on the
 * inviter's stream: the gateway fills the points from the `referral.rewarded` event and resolves
 * `referral` through `Query.referral`.
 */
@ObjectType({ description: 'A referral qualified: both sides were rewarded.' })
export class ReferralRewarded {
  @Field(() => Referral)
  referral: Referral;

  @Field(() => Int)
  inviterPoints: number;

  @Field(() => Int)
  inviteePoints: number;
}
