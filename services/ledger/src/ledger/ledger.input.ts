import { Field, ID, InputType } from 'type-graphql';
import { PointKind } from '@loyalty/platform';

/** What every internal write names: its idempotency key, the member and the kind of points. */
@InputType()
export abstract class LedgerMemberWrite {
  @Field()
  idempotencyKey: string;

  @Field(() => ID)
  memberId: string;

  @Field(() => PointKind, { nullable: true, defaultValue: PointKind.REGULAR })
  kind: PointKind;
}
