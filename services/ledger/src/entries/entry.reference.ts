import type { LedgerContext } from '../context';
import type { EntryRow } from './entry.entity';

/** `LedgerEntry` references from other subgraphs, batched; access is `ledgerEntityPolicy`'s. */
export function resolveLedgerEntryReference(
  ref: { id: string },
  ctx: LedgerContext,
): Promise<EntryRow | null> {
  return ctx.loaders.entry.load(String(ref.id));
}
