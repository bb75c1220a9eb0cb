import { Field, ObjectType } from 'type-graphql';
import { RedemptionStatus } from './redemption.state';
import { Redemption } from './redemption.type';

/**
 * Payload of the gateway's `redemptionStatusChanged` subscription (REQUIREMENTS T3). Owned here
 * with the data; the gateway fills `from`, `to`, `reason` and `at` from the
 * `redemption.status_changed` event and resolves `redemption` through `Query.redemption`.
 */
@ObjectType({ description: "A redemption moved to another status (pushed on the member's stream)." })
export class RedemptionStatusChange {
  @Field(() => Redemption)
  redemption: Redemption;

  @Field(() => RedemptionStatus, { nullable: true })
  from: RedemptionStatus | null;

  @Field(() => RedemptionStatus)
  to: RedemptionStatus;

  @Field()
  reason: string;

  @Field()
  at: Date;
}
