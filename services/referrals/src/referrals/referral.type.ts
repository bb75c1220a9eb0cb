import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum ReferralStatus {
  INVITED = 'INVITED',
  REGISTERED = 'REGISTERED',
  REWARDED = 'REWARDED',
  REJECTED = 'REJECTED',
}
registerEnumType(ReferralStatus, { name: 'ReferralStatus' });

export enum ReferralRejectionReason {
  SELF_REFERRAL = 'SELF_REFERRAL',
  REFERRAL_LOOP = 'REFERRAL_LOOP',
  CAP_REACHED = 'CAP_REACHED',
  QUALIFYING_PURCHASE_REFUNDED = 'QUALIFYING_PURCHASE_REFUNDED',
}
registerEnumType(ReferralRejectionReason, {
  name: 'ReferralRejectionReason',
  description: 'Why a referral was refused or its rewards taken back.',
  valuesConfig: {
    SELF_REFERRAL: { description: 'A member used their own code.' },
    REFERRAL_LOOP: { description: 'The invitee (directly or through others) invited the inviter.' },
    CAP_REACHED: { description: "The inviter's rewarded referrals reached the cap for the period." },
    QUALIFYING_PURCHASE_REFUNDED: {
      description: 'The qualifying purchase was refunded within the window: rewards reversed.',
    },
  },
});

export enum DiscountStatus {
  AVAILABLE = 'AVAILABLE',
  USED = 'USED',
  VOID = 'VOID',
}
registerEnumType(DiscountStatus, { name: 'FirstOrderDiscountStatus' });

@ObjectType({ description: 'Points a qualified referral gave each side (REGULAR points).' })
export class ReferralReward {
  @Field(() => Int)
  inviterPoints: number;

  @Field(() => Int)
  inviteePoints: number;

  @Field()
  rewardedAt: Date;

  @Field(() => ID, { description: 'The invitee purchase that qualified the referral.' })
  qualifyingPurchaseId: string;

  @Field({ description: 'True once the ledger has credited both sides.' })
  credited: boolean;

  @Field(() => Date, {
    nullable: true,
    description: 'Set when a refund of the qualifying purchase took the rewards back.',
  })
  reversedAt: Date | null;
}

@ObjectType({
  description:
    "The invitee's first-order discount: minor units off their first order of at least the programme's minimum, " +
    'applied by the merchant at checkout while AVAILABLE.',
})
export class FirstOrderDiscount {
  @Field(() => Int)
  amountOff: number;

  @Field(() => Int, { description: 'Minimum order amount (minor units) it applies to.' })
  minimumSpend: number;

  @Field(() => DiscountStatus)
  status: DiscountStatus;
}

/** An invitation; `inviter`/`invitee` are resolved by the members subgraph. */
@ObjectType('Referral')
@Directive('@key(fields: "id")')
export class Referral {
  @Field(() => ID)
  id: string;

  @Field(() => ReferralStatus)
  status: ReferralStatus;

  @Field({ description: 'When the invitee joined with the code (or applied it).' })
  registeredAt: Date;

  @Field(() => ReferralRejectionReason, {
    nullable: true,
    description: 'Why the referral was refused (status REJECTED).',
  })
  rejectionReason: ReferralRejectionReason | null;
}
