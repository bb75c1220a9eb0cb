import { Directive, Field, ID, InputType, Int } from 'type-graphql';
import { LedgerMemberWrite } from '../ledger/ledger.input';

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
