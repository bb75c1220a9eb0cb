import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { LedgerEntry } from '../entries/entry.type';

/** The result of a reversal: what was taken back and what could not be (already spent). */
@ObjectType()
@Directive('@inaccessible')
export class LedgerReversal {
  @Field(() => LedgerEntry, {
    nullable: true,
    description: 'The REVERSE entry; null when nothing could be taken.',
  })
  entry: LedgerEntry | null;

  @Field(() => Int, {
    description: 'Points the reversal asked for (after capping at what the source earned).',
  })
  requested: number;

  @Field(() => Int)
  reversed: number;

  @Field(() => Int)
  shortfall: number;
}
