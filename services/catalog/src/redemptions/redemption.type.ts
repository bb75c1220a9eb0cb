import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo, PointKind } from '@loyalty/platform';
import { CashState, RedemptionStatus } from './redemption.state';

registerEnumType(RedemptionStatus, { name: 'RedemptionStatus' });
registerEnumType(CashState, {
  name: 'RedemptionCashState',
  description: 'The cash part of a points-plus-cash redemption (amounts, never points).',
});

@ObjectType('RedemptionTransition', { description: 'One step of a redemption: who moved it, and why.' })
export class RedemptionTransition {
  @Field(() => RedemptionStatus, { nullable: true })
  from: RedemptionStatus | null;

  @Field(() => RedemptionStatus)
  to: RedemptionStatus;

  @Field({ description: '`member:<id>`, `partner:<merchantId>`, `admin:<name>` or `system:recovery`.' })
  actor: string;

  @Field()
  reason: string;

  @Field()
  at: Date;
}

/** A redemption; `reward`, `member` and `transitions` come from the resolver. */
@ObjectType('Redemption')
@Directive('@key(fields: "id")')
export class Redemption {
  @Field(() => ID)
  id: string;

  @Field(() => Int)
  quantity: number;

  @Field(() => Int, { description: 'Points spent (all units).' })
  points: number;

  @Field(() => Int, { description: 'Cash owed in minor units (never points).' })
  cashAmount: number;

  @Field(() => CashState, {
    description:
      'NONE (no cash part), OWED, PAID (recorded received), REFUNDED (cancelled: what was paid went back).',
  })
  cashState: CashState;

  @Field(() => Int, { description: 'Cash received, minor units.' })
  cashPaid: number;

  @Field(() => Int, { description: 'Cash refunded after a cancellation, minor units.' })
  cashRefunded: number;

  @Field(() => PointKind)
  pointKind: PointKind;

  @Field(() => RedemptionStatus)
  status: RedemptionStatus;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;

  @Field(() => String, { nullable: true })
  cancelReason: string | null;

  @Field(() => Int, { description: 'Bonus points granted because the operator cancelled (C6).' })
  compensationPoints: number;
}

@ObjectType('RedemptionEdge')
export class RedemptionEdge {
  @Field()
  cursor: string;

  @Field(() => Redemption)
  node: Redemption;
}

@ObjectType('RedemptionConnection')
export class RedemptionConnection {
  @Field(() => [RedemptionEdge])
  edges: RedemptionEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}
