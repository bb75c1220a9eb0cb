import { Directive, Field, ID, InputType, Int } from 'type-graphql';
import { PointKind } from '@loyalty/platform';
import { EntryType } from '../entries/entry.entity';

/** What every internal write names: its idempotency key, the member and the kind of points. */
@InputType()
abstract class LedgerMemberWrite {
  @Field()
  idempotencyKey: string;

  @Field(() => ID)
  memberId: string;

  @Field(() => PointKind, { nullable: true, defaultValue: PointKind.REGULAR })
  kind: PointKind;
}

@InputType()
@Directive('@inaccessible')
export class LedgerCreditInput extends LedgerMemberWrite {
  @Field(() => Int)
  points: number;

  @Field({ description: 'Shown to the member as the entry description.' })
  reason: string;

  @Field(() => EntryType, { nullable: true, description: 'EARN (default) or COMPENSATE.' })
  type?: EntryType | null;

  @Field(() => String, {
    nullable: true,
    description: 'ISO-8601 duration or NEVER; default POINTS_VALIDITY.',
  })
  validity?: string | null;

  @Field(() => ID, { nullable: true })
  merchantId?: string | null;

  @Field(() => ID, { nullable: true })
  campaignId?: string | null;

  @Field(() => String, { nullable: true })
  sourceType?: string | null;

  @Field(() => String, { nullable: true })
  sourceId?: string | null;
}

@InputType()
@Directive('@inaccessible')
export class LedgerHoldInput extends LedgerMemberWrite {
  @Field(() => Int)
  points: number;

  @Field()
  reason: string;

  @Field(() => Int, { nullable: true, description: 'Default 900.' })
  ttlSeconds?: number | null;

  @Field(() => ID, { nullable: true })
  merchantId?: string | null;
}

@InputType()
@Directive('@inaccessible')
export class LedgerReverseInput extends LedgerMemberWrite {
  @Field()
  sourceType: string;

  @Field()
  sourceId: string;

  @Field()
  reason: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Points to take back (capped at what the source earned).',
  })
  points?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'With purchaseAmount instead of points: cumulative refunded amount.',
  })
  refundedAmount?: number | null;

  @Field(() => Int, { nullable: true })
  purchaseAmount?: number | null;

  @Field(() => ID, { nullable: true })
  merchantId?: string | null;
}

@InputType()
@Directive('@inaccessible')
export class LedgerExtendInput {
  @Field()
  idempotencyKey: string;

  @Field(() => ID)
  memberId: string;

  @Field({ description: 'ISO-8601 duration added to each lot, or NEVER.' })
  extendBy: string;

  @Field()
  reason: string;

  @Field(() => PointKind, { nullable: true })
  kind?: PointKind | null;

  @Field(() => String, { nullable: true })
  sourceType?: string | null;

  @Field(() => String, { nullable: true })
  sourceId?: string | null;

  @Field(() => Date, { nullable: true })
  expiringBefore?: Date | null;
}

@InputType()
export class AdjustPointsInput {
  @Field(() => ID)
  memberId: string;

  @Field(() => PointKind, { nullable: true, defaultValue: PointKind.REGULAR })
  kind: PointKind;

  @Field(() => Int, { description: 'Signed.' })
  points: number;

  @Field()
  reason: string;

  @Field()
  idempotencyKey: string;

  @Field(() => String, {
    nullable: true,
    description: 'For credits: ISO-8601 duration or NEVER; default POINTS_VALIDITY.',
  })
  validity?: string | null;
}

@InputType()
export class LedgerAuditFilter {
  @Field(() => ID, { nullable: true })
  memberId?: string | null;

  @Field(() => ID, { nullable: true })
  merchantId?: string | null;

  @Field(() => PointKind, { nullable: true })
  kind?: PointKind | null;

  @Field(() => EntryType, { nullable: true })
  type?: EntryType | null;

  @Field(() => Date, { nullable: true, description: 'Inclusive.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Exclusive.' })
  to?: Date | null;
}
