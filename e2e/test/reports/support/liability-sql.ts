import type { DataSource } from 'typeorm';

export interface Figures {
  issued: number;
  redeemed: number;
  expired: number;
  reversed: number;
  outstanding: number;
}

/**
 * The liability recomputed from the trail the straightforward way: every lot joined to the credit
 * entry that created it, every lot move joined to its entry and its lot (none of the columns the
 * report copies onto moves and lots are used).
 */
export async function rawLiability(
  ds: DataSource,
  merchantId: string | null,
  kind: string,
  from: Date,
  to: Date,
): Promise<Figures> {
  const merchant = merchantId === null ? '' : ' AND l.merchantId = :merchantId';
  const run = async (sql: string) => {
    const [q, p] = ds.driver.escapeQueryWithParameters(sql, { merchantId, kind, from, to });
    return (await ds.query(q, p)) as { type: string; n: string | number | null }[];
  };
  const lots = await run(
    'SELECT e.type AS type, SUM(l.points) AS n FROM ledger_lots l JOIN ledger_entries e ON e.id = l.entryId ' +
      `WHERE l.kind = :kind AND e.createdAt >= :from AND e.createdAt < :to${merchant} GROUP BY e.type`,
  );
  const moves = await run(
    'SELECT e.type AS type, SUM(x.points) AS n FROM ledger_lot_moves x JOIN ledger_entries e ON e.id = x.entryId ' +
      'JOIN ledger_lots l ON l.id = x.lotId ' +
      `WHERE l.kind = :kind AND e.createdAt >= :from AND e.createdAt < :to${merchant} GROUP BY e.type`,
  );
  const heldLots = await run(
    "SELECT 'all' AS type, SUM(l.points) AS n FROM ledger_lots l JOIN ledger_entries e ON e.id = l.entryId " +
      `WHERE l.kind = :kind AND e.createdAt < :to${merchant}`,
  );
  const heldMoves = await run(
    "SELECT 'all' AS type, SUM(x.points) AS n FROM ledger_lot_moves x JOIN ledger_entries e ON e.id = x.entryId " +
      `JOIN ledger_lots l ON l.id = x.lotId WHERE l.kind = :kind AND e.createdAt < :to${merchant}`,
  );
  const of = (rows: { type: string; n: string | number | null }[], ...types: string[]) =>
    rows.filter((r) => types.includes(r.type)).reduce((s, r) => s + Number(r.n ?? 0), 0);
  return {
    issued: of(lots, 'EARN', 'COMPENSATE', 'ADJUST'),
    redeemed: 0 - of(moves, 'HOLD', 'RELEASE') - of(lots, 'RESTORE'),
    expired: 0 - of(moves, 'EXPIRE'),
    reversed: 0 - of(moves, 'REVERSE', 'ADJUST'),
    outstanding: of(heldLots, 'all') + of(heldMoves, 'all'),
  };
}

/** What the merchant's lots of a kind hold now, by the ledger's own cache (`remaining`). */
export async function remainingNow(ds: DataSource, merchantId: string | null, kind: string): Promise<number> {
  const sql =
    'SELECT SUM(l.remaining) AS n FROM ledger_lots l WHERE l.kind = :kind' +
    (merchantId === null ? '' : ' AND l.merchantId = :merchantId');
  const [q, p] = ds.driver.escapeQueryWithParameters(sql, { merchantId, kind });
  const rows = (await ds.query(q, p)) as { n: string | number | null }[];
  return Number(rows[0]?.n ?? 0);
}
