import { FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { Member } from '../accounts/member.type';
import type { EntryRow } from './entry.entity';
import { BalanceChange, LedgerEntry, Merchant } from './entry.type';

@Resolver(() => LedgerEntry)
export class LedgerEntryResolver {
  @FieldResolver(() => Merchant, { nullable: true })
  merchant(@Root() entry: EntryRow): Merchant | null {
    return entry.merchantId ? { id: entry.merchantId } : null;
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
