import type { Transactor } from '@loyalty/platform';
import { AccountRow } from '../accounts/account.entity';
import { LotMoveRow, LotRow } from '../lots/lot.entity';
import { liabilityFigures, type LiabilityFigures } from './liability.rules';

export interface LiabilityQuery {
  /** null: the whole programme (every lot, with or without an issuing merchant). */
  merchantId: string | null;
  kind: string;
  from: Date;
  to: Date;
}

interface Grouped {
  source: 'lot' | 'move' | 'now';
  type: string | null;
  inPeriod: string | number | null;
  after: string | number | null;
}

/**
 * Points liability per issuing merchant, set-based, in one statement (one snapshot):
 * - lots created and lot moves from `from` on, summed per origin / entry type, split into the
 *   period and after `to`: range scans of covering indexes (`ix_lots_issuer`/`ix_lots_issued`,
 *   `ix_lot_moves_issuer`/`ix_lot_moves_kind`; merchant, kind, type and time are copied onto the
 *   moves when the ledger writes them);
 * - what the lots hold now: the merchant's lots' `remaining`, or for the whole programme the
 *   account balances (equal to the sum of all lots' `remaining`, a checked invariant);
 * then outstanding at `to` = now − what was created and moved since `to`. The cost follows the
 * rows since `from`, not the whole history.
 */
export class LiabilityService {
  constructor(private readonly transactor: Transactor) {}

  async liability(q: LiabilityQuery): Promise<LiabilityFigures> {
    return this.transactor.read(async (m) => {
      const lots = m
        .createQueryBuilder(LotRow, 'l')
        .select("'lot'", 'source')
        .addSelect("COALESCE(l.origin, '')", 'type')
        .addSelect('SUM(CASE WHEN l.earnedAt < :to THEN l.points ELSE 0 END)', 'inPeriod')
        .addSelect('SUM(CASE WHEN l.earnedAt >= :to THEN l.points ELSE 0 END)', 'after')
        .where('l.kind = :kind AND l.earnedAt >= :from')
        .groupBy('l.origin');
      const moves = m
        .createQueryBuilder(LotMoveRow, 'x')
        .select("'move'", 'source')
        .addSelect("COALESCE(x.entryType, '')", 'type')
        .addSelect('SUM(CASE WHEN x.createdAt < :to THEN x.points ELSE 0 END)', 'inPeriod')
        .addSelect('SUM(CASE WHEN x.createdAt >= :to THEN x.points ELSE 0 END)', 'after')
        .where('x.kind = :kind AND x.createdAt >= :from')
        .groupBy('x.entryType');
      const now =
        q.merchantId === null
          ? m
              .createQueryBuilder(AccountRow, 'a')
              .select("'now'", 'source')
              .addSelect('NULL', 'type')
              .addSelect('SUM(a.balance)', 'inPeriod')
              .addSelect('0', 'after')
              .where('a.kind = :kind')
          : m
              .createQueryBuilder(LotRow, 'n')
              .select("'now'", 'source')
              .addSelect('NULL', 'type')
              .addSelect('SUM(n.remaining)', 'inPeriod')
              .addSelect('0', 'after')
              .where('n.kind = :kind AND n.merchantId = :merchantId');
      if (q.merchantId !== null) {
        lots.andWhere('l.merchantId = :merchantId');
        moves.andWhere('x.merchantId = :merchantId');
      }
      const params = { kind: q.kind, from: q.from, to: q.to, merchantId: q.merchantId };
      // Every part selects expressions only (TypeORM moves plain column selections to the front),
      // so that the columns line up positionally across the UNION.
      const parts = [lots, moves, now].map((qb) => qb.setParameters(params).getQueryAndParameters());
      const rows = (await m.query(
        parts.map(([sql]) => sql).join(' UNION ALL '),
        parts.flatMap(([, p]) => p),
      )) as Grouped[];
      const of = (source: Grouped['source']) => rows.filter((r) => r.source === source);
      const byType = (list: Grouped[]) => new Map(list.map((r) => [r.type ?? '', Number(r.inPeriod ?? 0)]));
      const after = rows.reduce((s, r) => s + Number(r.after ?? 0), 0);
      const held = of('now').reduce((s, r) => s + Number(r.inPeriod ?? 0), 0);
      return liabilityFigures({
        lotsInPeriod: byType(of('lot')),
        movesInPeriod: byType(of('move')),
        heldAtTo: held - after,
      });
    });
  }
}
