import { In, type SelectQueryBuilder } from 'typeorm';
import { alignToKeys, EntityReader, NotFoundError, type Transactor } from '@loyalty/platform';
import { RedemptionRow } from './redemption.entity';
import { RedemptionStatus } from './redemption.state';
import { RedemptionTransitionRow } from './transition.entity';

/** A page position in newest-first lists: the creation time and id of the last row seen. */
export interface RedemptionCursor {
  t: number;
  id: string;
}

/** Reads of redemptions; the batch ones back the request's DataLoaders (one query for any number of keys). */
export class RedemptionQueries {
  private readonly rows: EntityReader<RedemptionRow>;

  constructor(private readonly transactor: Transactor) {
    this.rows = new EntityReader(transactor, RedemptionRow);
  }

  /** The redemption a caller's idempotency key already made, if any. */
  byRequest(requestedBy: string, idempotencyKey: string): Promise<RedemptionRow | null> {
    return this.transactor.read((m) => m.findOneBy(RedemptionRow, { requestedBy, idempotencyKey }));
  }

  async byIds(ids: readonly string[]): Promise<(RedemptionRow | null)[]> {
    const rows = await this.transactor.read((m) => m.findBy(RedemptionRow, { id: In([...ids]) }));
    return alignToKeys(ids, rows, (r) => r.id);
  }

  async require(id: string): Promise<RedemptionRow> {
    const row = await this.transactor.read((m) => m.findOneBy(RedemptionRow, { id }));
    if (!row) throw new NotFoundError('Redemption', id);
    return row;
  }

  /** A merchant's redemptions (all merchants' for `merchantId` null), newest first. */
  async listForMerchant(
    merchantId: string | null,
    status: RedemptionStatus | null,
    first: number,
    after: RedemptionCursor | null,
  ): Promise<RedemptionRow[]> {
    return this.newestFirst(first, after, (qb) => {
      if (merchantId) qb.andWhere('x.merchantId = :merchantId', { merchantId });
      if (status) qb.andWhere('x.status = :status', { status });
    });
  }

  /** A member's redemptions, newest first. */
  async listForMember(
    memberId: string,
    first: number,
    after: RedemptionCursor | null,
  ): Promise<RedemptionRow[]> {
    // The first page (a member's dashboard) is a lean read; later pages need the cursor's clause.
    if (!after) {
      return this.rows.whereIn('memberId', [memberId], {
        order: [
          ['createdAt', 'DESC'],
          ['id', 'DESC'],
        ],
        limit: first + 1,
      });
    }
    return this.newestFirst(first, after, (qb) => qb.andWhere('x.memberId = :memberId', { memberId }));
  }

  /** One page, newest first, after the cursor; `first + 1` rows so the caller knows whether more exist. */
  private newestFirst(
    first: number,
    after: RedemptionCursor | null,
    filter: (qb: SelectQueryBuilder<RedemptionRow>) => void,
  ): Promise<RedemptionRow[]> {
    return this.transactor.read((m) => {
      const qb = m
        .createQueryBuilder(RedemptionRow, 'x')
        .orderBy('x.createdAt', 'DESC')
        .addOrderBy('x.id', 'DESC')
        .take(first + 1);
      filter(qb);
      if (after) {
        const t = new Date(after.t);
        qb.andWhere('(x.createdAt < :t OR (x.createdAt = :t AND x.id < :id))', { t, id: after.id });
      }
      return qb.getMany();
    });
  }

  async transitions(ids: readonly string[]): Promise<RedemptionTransitionRow[][]> {
    const rows = await this.transactor.read((m) =>
      m.find(RedemptionTransitionRow, { where: { redemptionId: In([...ids]) }, order: { at: 'ASC' } }),
    );
    return ids.map((id) => rows.filter((r) => r.redemptionId === id));
  }

  /** Units a member has redeemed (not cancelled), per (reward, member) pair. */
  async usedUnits(pairs: readonly { rewardId: string; memberId: string }[]): Promise<number[]> {
    const rows = await this.transactor.read((m) =>
      m
        .createQueryBuilder(RedemptionRow, 'x')
        .select('x.rewardId', 'rewardId')
        .addSelect('x.memberId', 'memberId')
        .addSelect('SUM(x.quantity)', 'used')
        .where('x.rewardId IN (:...rewardIds) AND x.memberId IN (:...memberIds) AND x.status <> :cancelled', {
          rewardIds: [...new Set(pairs.map((p) => p.rewardId))],
          memberIds: [...new Set(pairs.map((p) => p.memberId))],
          cancelled: RedemptionStatus.CANCELLED,
        })
        .groupBy('x.rewardId')
        .addGroupBy('x.memberId')
        .getRawMany<{ rewardId: string; memberId: string; used: string | number }>(),
    );
    const used = new Map(rows.map((r) => [`${r.rewardId}/${r.memberId}`, Number(r.used)]));
    return pairs.map((p) => used.get(`${p.rewardId}/${p.memberId}`) ?? 0);
  }

  /** Redemptions untouched since `before` that are PENDING or cancelled but not yet settled. */
  async stuck(before: Date, limit = 100): Promise<RedemptionRow[]> {
    return this.transactor.read((m) =>
      m
        .createQueryBuilder(RedemptionRow, 'x')
        .where('x.updatedAt <= :before', { before })
        .andWhere('(x.status = :pending OR (x.status = :cancelled AND x.settlementDue = :due))', {
          pending: RedemptionStatus.PENDING,
          cancelled: RedemptionStatus.CANCELLED,
          due: true,
        })
        .orderBy('x.updatedAt', 'ASC')
        .take(limit)
        .getMany(),
    );
  }
}
