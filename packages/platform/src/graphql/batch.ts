/**
 * The DataLoader batch contract: one result per key, in the keys' order, null where no row has
 * that key (a database `IN (...)` returns rows in any order and skips missing ones).
 */
export function alignToKeys<K, Row>(
  keys: readonly K[],
  rows: readonly Row[],
  keyOf: (row: Row) => K,
): (Row | null)[] {
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => byKey.get(key) ?? null);
}
