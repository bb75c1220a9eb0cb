import { Directive, Field, ID, InputType } from 'type-graphql';
import { PointKind } from '@loyalty/platform';

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
