import { Field, ID, InputType } from 'type-graphql';
import { PointKind } from '@loyalty/platform';
import { EntryType } from '../entries/entry.entity';

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
