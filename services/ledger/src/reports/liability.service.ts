import type { Transactor } from '@loyalty/platform';
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
  source: string;
  type: string | null;
  total: string | number | null;
  inPeriod: string | number | null;
}

/**
 * Points liability per issuing merchant, set-based: two aggregates, each a range scan of one
 * covering index (`ix_lots_issuer`/`ix_lots_issued` on lots, `ix_lot_moves_issuer`/`ix_lot_moves_kind`
 * on moves, whose merchant, kind, type and time are copied there when the ledger writes them).
 */
export class LiabilityService {
  constructor(private readonly transactor: Transactor) {}

  async liability(q: LiabilityQuery): Promise<LiabilityFigures> {
    return this.transactor.read(async (m) => {
      const lots = m
        .createQueryBuilder(LotRow, 'l')
        .select("'lot'", 'source')
        .addSelect('l.origin', 'type')
        .addSelect('SUM(l.points)', 'total')
        .addSelect('SUM(CASE WHEN l.earnedAt >= :from THEN l.points ELSE 0 END)', 'inPeriod')
        .where('l.kind = :kind AND l.earnedAt < :to')
        .groupBy('l.origin');
      const moves = m
        .createQueryBuilder(LotMoveRow, 'x')
        .select("'move'", 'source')
        .addSelect('x.entryType', 'type')
        .addSelect('SUM(x.points)', 'total')
        .addSelect('SUM(CASE WHEN x.createdAt >= :from THEN x.points ELSE 0 END)', 'inPeriod')
        .where('x.kind = :kind AND x.createdAt < :to')
        .groupBy('x.entryType');
      if (q.merchantId !== null) {
        lots.andWhere('l.merchantId = :merchantId');
        moves.andWhere('x.merchantId = :merchantId');
      }
      const params = { kind: q.kind, from: q.from, to: q.to, merchantId: q.merchantId };
      // One statement, so both sums come from one snapshot while writers carry on.
      const [lotSql, lotParams] = lots.setParameters(params).getQueryAndParameters();
      const [moveSql, moveParams] = moves.setParameters(params).getQueryAndParameters();
      const rows = (await m.query(`${lotSql} UNION ALL ${moveSql}`, [
        ...lotParams,
        ...moveParams,
      ])) as Grouped[];
      const lotRows = rows.filter((r) => r.source === 'lot');
      const moveRows = rows.filter((r) => r.source === 'move');
      const byType = (rows: Grouped[]) => new Map(rows.map((r) => [r.type ?? '', Number(r.inPeriod ?? 0)]));
      const total = (rows: Grouped[]) => rows.reduce((s, r) => s + Number(r.total ?? 0), 0);
      return liabilityFigures({
        lotsInPeriod: byType(lotRows),
        movesInPeriod: byType(moveRows),
        heldAtTo: total(lotRows) + total(moveRows),
      });
    });
  }
}
