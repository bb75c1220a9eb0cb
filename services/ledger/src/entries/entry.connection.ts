import { toConnection } from '@loyalty/platform';
import type { EntryRow } from './entry.entity';

/**
 * A page of entries served as a `LedgerEntryConnection`. The nodes stay rows: the entry's field
 * resolvers (`merchant`, `member`) read columns the GraphQL type does not expose.
 */
export function entryConnection(rows: EntryRow[], size: number, cursorOf: (row: EntryRow) => string) {
  return toConnection(rows, size, cursorOf, (row) => row);
}

export type EntryConnection = ReturnType<typeof entryConnection>;
