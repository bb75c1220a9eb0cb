import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PointKind } from '@loyalty/platform';
import { HoldStatus } from './hold.entity';

registerEnumType(HoldStatus, { name: 'PointHoldStatus', description: 'Where a redemption hold stands.' });

/** A two-phase reservation of points (internal API). */
@ObjectType()
@Directive('@inaccessible')
export class PointHold {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  memberId: string;

  @Field(() => PointKind)
  kind: PointKind;

  @Field(() => Int)
  points: number;

  @Field(() => HoldStatus)
  status: HoldStatus;

  @Field({ description: 'When an unresolved hold is released by the ledger.' })
  expiresAt: Date;

  @Field()
  createdAt: Date;
}
