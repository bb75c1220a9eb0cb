import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { INHERITS_REUSE, PointKind } from '@loyalty/platform';

/** Kinds of rewards (C1). */
export enum RewardKind {
  GOODS = 'GOODS',
  COUPON = 'COUPON',
  SERVICE = 'SERVICE',
  SHIPPING_OFFSET = 'SHIPPING_OFFSET',
  TICKET = 'TICKET',
}

registerEnumType(RewardKind, { name: 'RewardKind' });

@ObjectType('PriceRule', { description: 'A time-limited redemption price (e.g. back-to-school week).' })
@Directive(INHERITS_REUSE)
export class PriceRule {
  @Field(() => ID)
  id: string;

  @Field()
  label: string;

  @Field(() => Int)
  pointsPrice: number;

  @Field()
  startsAt: Date;

  @Field({ description: 'Exclusive end of the window.' })
  endsAt: Date;
}

/**
 * A reward members redeem points for. `pointsPrice` and `merchant` come from the resolver. Every
 * field is the same for every caller (who may see a reward is decided before it is returned), so a
 * public listing may be reused: keep it so.
 */
@ObjectType('Reward')
@Directive('@key(fields: "id")')
@Directive(INHERITS_REUSE)
export class Reward {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field(() => RewardKind)
  kind: RewardKind;

  @Field(() => Int, { description: 'The regular price in points.' })
  listPointsPrice: number;

  @Field(() => Int, { description: 'Cash part in minor units (0 for points-only rewards).' })
  cashPrice: number;

  @Field(() => PointKind, { description: 'The kind the price is in by default.' })
  pointKind: PointKind;

  @Field({ description: 'Either kind of points may pay (C2); GREEN rewards take green points only.' })
  acceptsAnyKind: boolean;

  @Field(() => Int, { nullable: true, description: 'Units left; null means unlimited.' })
  stock: number | null;

  @Field()
  active: boolean;

  @Field(() => String, { nullable: true, description: 'Terms of use, as for a bought item (C7).' })
  terms: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Most units one member may redeem in total; null: no limit.',
  })
  perMemberLimit: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Lowest member tier that may redeem it; null: every tier.',
  })
  minTier: string | null;

  @Field({ description: 'Offered only to chosen members.' })
  personal: boolean;
}
