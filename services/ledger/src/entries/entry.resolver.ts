import { assertCanReadMember, ForbiddenError } from '@loyalty/platform';
import { FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { LedgerContext } from '../context';
import type { WarningRow } from '../expiry/warning.entity';
import { ExpiryWarning } from '../expiry/warning.type';
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

@Resolver(() => ExpiryWarning)
export class ExpiryWarningResolver {
  @FieldResolver(() => Member)
  member(@Root() warning: WarningRow): Member {
    return { id: warning.memberId };
  }
}

/** `LedgerEntry` references from other subgraphs, batched. */
export async function resolveLedgerEntryReference(
  ref: { id: string },
  ctx: LedgerContext,
): Promise<EntryRow | null> {
  const entry = await ctx.loaders.entry.load(String(ref.id));
  if (!entry) return null;
  const principal = assertCanReadMember(ctx.principal, entry.memberId);
  if (principal.role === 'partner' && entry.merchantId !== principal.merchantId) {
    throw new ForbiddenError("A partner may read only its own merchant's entries");
  }
  return entry;
}
