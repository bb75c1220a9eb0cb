import { Directive, Field, ID, InputType, Int } from 'type-graphql';
import { LedgerMemberWrite } from '../ledger/ledger.input';

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
