import { Field, Int, ObjectType } from 'type-graphql';
import { PointKind } from '@loyalty/platform';

/** A warning that points are about to expire (sent once per lot and lead). */
@ObjectType()
export class ExpiryWarning {
  @Field(() => PointKind)
  kind: PointKind;

  @Field(() => Int)
  points: number;

  @Field()
  expiresAt: Date;

  @Field(() => Int, { description: 'Whole days of the lead, rounded down (a lead of PT12S is 0 days).' })
  daysLeft: number;

  @Field({ description: 'The configured lead (ISO-8601 duration) that triggered the warning.' })
  lead: string;

  @Field({ description: 'When the warning was sent.' })
  createdAt: Date;
}
