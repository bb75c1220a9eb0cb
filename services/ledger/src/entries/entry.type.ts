import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo, PointKind } from '@loyalty/platform';
import { EntryType } from './entry.entity';

registerEnumType(EntryType, {
  name: 'LedgerEntryType',
  description: 'What moved the points. HOLD, RELEASE and RESTORE are the steps of a redemption.',
  valuesConfig: {
    HOLD: { description: 'Points reserved for a redemption (negative).' },
    RELEASE: { description: 'Reserved points returned or turned into a REDEEM (positive).' },
    RESTORE: { description: 'Redeemed points given back (positive).' },
  },
});

@ObjectType()
@Directive('@key(fields: "id")')
export class LedgerEntry {
  @Field(() => ID)
  id: string;

  @Field(() => EntryType)
  type: EntryType;

  @Field(() => PointKind)
  kind: PointKind;

  @Field(() => Int, { description: 'Signed: positive credits, negative debits.' })
  points: number;

  @Field(() => Int)
  balanceAfter: number;

  @Field({ description: 'Why, in words a member understands.' })
  description: string;

  @Field()
  createdAt: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'For EARN entries: when these points expire (null: never).',
  })
  expiresAt: Date | null;

  @Field(() => Int, {
    description:
      "Per member (all kinds together): 1 for the member's first entry, increasing by one with every entry.",
  })
  sequence: number;

  @Field(() => ID, { nullable: true, description: 'The campaign that gave these points, if any.' })
  campaignId: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'What caused the entry in the calling service, e.g. purchase.',
  })
  sourceType: string | null;

  @Field(() => String, { nullable: true })
  sourceId: string | null;

  @Field(() => ID, { nullable: true, description: 'The redemption hold this entry belongs to.' })
  holdId: string | null;
}

@ObjectType()
export class LedgerEntryEdge {
  @Field()
  cursor: string;

  @Field(() => LedgerEntry)
  node: LedgerEntry;
}

@ObjectType()
export class LedgerEntryConnection {
  @Field(() => [LedgerEntryEdge])
  edges: LedgerEntryEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}

/** One change of a member's balance (a ledger entry seen as a stream item). */
@ObjectType()
export class BalanceChange {
  @Field(() => PointKind)
  kind: PointKind;

  @Field(() => Int)
  sequence: number;
}
