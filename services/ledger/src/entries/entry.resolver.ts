import { Directive, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { Member } from '../accounts/member.type';
import { Merchant } from '../merchants/merchant.type';
import type { EntryRow, NamedEntryRow } from './entry.entity';
import { BalanceChange, LedgerEntry } from './entry.type';

@Resolver(() => LedgerEntry)
export class LedgerEntryResolver {
  // The name from the ledger's copy: a history needs no further round to the members subgraph.
  @Directive('@provides(fields: "name")')
  @FieldResolver(() => Merchant, { nullable: true })
  merchant(@Root() entry: NamedEntryRow): Merchant | null {
    return entry.merchantId ? { id: entry.merchantId, name: entry.merchantName ?? undefined } : null;
  }

  @FieldResolver(() => Member)
  member(@Root() entry: EntryRow): Member {
    return { id: entry.memberId };
  }
}

/** A balance change is a ledger entry seen as a stream item. */
@Resolver(() => BalanceChange)
export class BalanceChangeResolver {
  @FieldResolver(() => Member)
  member(@Root() entry: EntryRow): Member {
    return { id: entry.memberId };
  }

  @FieldResolver(() => Int)
  delta(@Root() entry: EntryRow): number {
    return entry.points;
  }

  @FieldResolver(() => Int, { description: 'Balance of this kind after the change.' })
  balance(@Root() entry: EntryRow): number {
    return entry.balanceAfter;
  }

  @FieldResolver(() => LedgerEntry)
  entry(@Root() entry: EntryRow): EntryRow {
    return entry;
  }
}
