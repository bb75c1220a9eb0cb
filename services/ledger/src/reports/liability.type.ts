import { Field, Float, Int, ObjectType } from 'type-graphql';
import { PointKind } from '@loyalty/platform';
import { Merchant } from '../merchants/merchant.type';

@ObjectType({
  description:
    'Points movements in a period for one issuing merchant (or the whole programme), attributed through the lots that the merchant issued.',
})
export class PointsLiability {
  @Field(() => Merchant, { nullable: true, description: 'Null: the whole programme.' })
  merchant: Merchant | null;

  @Field(() => PointKind)
  kind: PointKind;

  @Field()
  from: Date;

  @Field()
  to: Date;

  @Field(() => Int, {
    description: 'Points of lots created in the period (EARN, COMPENSATE, positive ADJUST).',
  })
  issued: number;

  @Field(() => Int, {
    description: 'Points reserved for redemptions, net of reservations released and redemptions restored.',
  })
  redeemed: number;

  @Field(() => Int)
  expired: number;

  @Field(() => Int, { description: 'Refunds (REVERSE) and negative operator adjustments.' })
  reversed: number;

  @Field(() => Int, { description: 'Points still held by members at `to`: the outstanding liability.' })
  outstanding: number;

  @Field(() => Float, { description: 'expired / issued over the period; 0 when nothing was issued.' })
  breakageRate: number;
}
