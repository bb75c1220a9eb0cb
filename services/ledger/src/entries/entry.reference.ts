import type { LedgerContext } from '../context';
import { assertCanReadEntry } from '../policy';
import type { EntryRow } from './entry.entity';

/** `LedgerEntry` references from other subgraphs, batched. */
export async function resolveLedgerEntryReference(
  ref: { id: string },
  ctx: LedgerContext,
): Promise<EntryRow | null> {
  const entry = await ctx.loaders.entry.load(String(ref.id));
  if (!entry) return null;
  assertCanReadEntry(ctx.principal, entry);
  return entry;
}
