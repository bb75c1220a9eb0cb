import { Directive, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PointKind } from '@loyalty/platform';
import { MerchantRef } from '../members/member.type';
import { FirstOrderScope } from './campaign.input';

export enum CampaignStatus {
  SCHEDULED = 'SCHEDULED',
  ACTIVE = 'ACTIVE',
  ENDED = 'ENDED',
}

registerEnumType(CampaignStatus, { name: 'CampaignStatus' });

@ObjectType('Campaign')
@Directive('@key(fields: "id")')
export class Campaign {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field()
  startsAt: Date;

  @Field(() => Date, { nullable: true, description: 'Exclusive end; null: until ended.' })
  endsAt: Date | null;

  @Field({ description: 'Readable statement of what the campaign gives, for disclosure.' })
  terms: string;

  @Field(() => CampaignStatus)
  status: CampaignStatus;

  @Field(() => MerchantRef, {
    nullable: true,
    description: 'The one merchant it is limited to; null: every merchant.',
  })
  merchant: MerchantRef | null;

  @Field(() => String, { nullable: true })
  merchantCategory: string | null;

  @Field(() => Float, { nullable: true, description: 'Multiplier of the REGULAR base points (2 = double).' })
  multiplier: number | null;

  @Field(() => Int, { nullable: true })
  bonusPoints: number | null;

  @Field(() => PointKind, { description: 'The kind of points the multiplier and bonus give.' })
  pointKind: PointKind;

  @Field(() => Int, { nullable: true })
  signUpBonus: number | null;

  @Field(() => FirstOrderScope, { nullable: true })
  firstOrderOnly: FirstOrderScope | null;

  @Field(() => [String], { nullable: true })
  tiers: string[] | null;

  @Field(() => [Int], { nullable: true, description: 'ISO weekdays (1 = Monday) in timeZone.' })
  weekdays: number[] | null;

  @Field(() => [Int], { nullable: true, description: 'Days of the month (market days) in timeZone.' })
  monthDays: number[] | null;

  @Field()
  timeZone: string;

  @Field(() => Int, { nullable: true })
  minAmount: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Personal benefit plan (R8): spend in the window that earns the bonus, once.',
  })
  spendTarget: number | null;

  @Field(() => Int, { nullable: true })
  perMemberCap: number | null;

  @Field(() => Int, { nullable: true })
  budget: number | null;

  @Field(() => Int, {
    description: 'Points the campaign has given so far (shown at most 2147483647, the largest GraphQL Int).',
  })
  awardedPoints: number;

  @Field(() => String, {
    nullable: true,
    description: "Own validity of the campaign's points; null: the programme validity.",
  })
  validity: string | null;
}
