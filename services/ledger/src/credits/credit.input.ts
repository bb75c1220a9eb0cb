import { Directive, Field, ID, InputType, Int } from 'type-graphql';
import { PointKind } from '@loyalty/platform';
import { EntryType } from '../entries/entry.entity';
import { LedgerMemberWrite } from '../ledger/ledger.input';

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
