import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo, PointKind } from '@loyalty/platform';
import { Campaign } from '../campaigns/campaign.type';
import { MemberRef, MerchantRef } from '../members/member.type';

export enum PointAwardStatus {
  PREVIEW = 'PREVIEW',
  PENDING = 'PENDING',
  POSTED = 'POSTED',
}

registerEnumType(PointAwardStatus, {
  name: 'PointAwardStatus',
  description:
    'PREVIEW: computed, nothing recorded. PENDING: recorded, the ledger has not confirmed the points yet (it was ' +
    "unreachable); they are posted automatically, exactly once. POSTED: in the member's balance.",
});

@ObjectType('Purchase')
@Directive('@key(fields: "id")')
export class Purchase {
  @Field(() => ID)
  id: string;

  @Field(() => MerchantRef)
  merchant: MerchantRef;

  @Field()
  orderId: string;

  @Field(() => MemberRef)
  member: MemberRef;

  @Field(() => Int)
  amount: number;

  @Field()
  currency: string;

  @Field()
  occurredAt: Date;

  @Field()
  recordedAt: Date;

  @Field(() => Int, { description: 'Amount of the green items (minor units).' })
  greenAmount: number;

  @Field(() => Int, { description: 'Amount refunded so far (minor units).' })
  refundedAmount: number;

  @Field({ description: "The member's first purchase on the platform." })
  firstPurchase: boolean;

  @Field(() => [PointAward], { description: 'The breakdown: which rule gave how many points of which kind.' })
  awards: PointAward[];
}

@ObjectType()
export class PointAward {
  @Field(() => PointKind)
  kind: PointKind;

  @Field(() => Int)
  points: number;

  @Field({ description: 'Which rule or campaign gave these points, in words.' })
  reason: string;

  @Field(() => Campaign, { nullable: true })
  campaign: Campaign | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'When these points expire (null: never). Validity counts from when the ledger credits them: once POSTED ' +
      "this is the ledger's date; while PENDING or in a PREVIEW it is projected from now, and the real date is never earlier.",
  })
  expiresAt: Date | null;

  @Field({ description: 'Stable name of the rule: base, green, campaign:<id>, refund.' })
  rule: string;

  @Field(() => PointAwardStatus)
  status: PointAwardStatus;

  @Field(() => Int, {
    nullable: true,
    description: 'Reversals: points the ledger could not take back because they were already spent.',
  })
  shortfall: number | null;
}

@ObjectType()
export class PurchaseResult {
  @Field(() => Purchase)
  purchase: Purchase;

  @Field(() => [PointAward])
  awards: PointAward[];
}

@ObjectType()
export class RefundResult {
  @Field(() => Purchase)
  purchase: Purchase;

  @Field(() => [PointAward], { description: 'Points taken back, per kind (negative).' })
  reversals: PointAward[];

  @Field()
  refundId: string;

  @Field(() => Int, { description: 'Amount of this refund (minor units).' })
  amount: number;
}

@ObjectType()
export class PurchaseEdge {
  @Field()
  cursor: string;

  @Field(() => Purchase)
  node: Purchase;
}

@ObjectType()
export class PurchaseConnection {
  @Field(() => [PurchaseEdge])
  edges: PurchaseEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}
