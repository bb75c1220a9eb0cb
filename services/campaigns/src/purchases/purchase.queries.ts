import { In } from 'typeorm';
import { alignToKeys, EntityReader, type Transactor } from '@loyalty/platform';
import { PostingRow } from '../postings/posting.entity';
import { AwardRow, PurchaseRow, RefundRow, ReversalRow } from './purchase.entity';

/** Preview: computed, not recorded. Pending: recorded, not yet in the ledger. Posted: in the ledger. */
export type AwardStatus = 'PREVIEW' | 'PENDING' | 'POSTED';

/** A line of a breakdown as the graph shows it. */
export interface AwardView {
  rule: string;
  kind: string;
  points: number;
  reason: string;
  campaignId: string | null;
  expiresAt: Date | null;
  status: AwardStatus;
  shortfall: number | null;
}

export interface PurchaseResultView {
  purchase: PurchaseRow;
  awards: AwardView[];
}

export interface RefundResultView {
  purchase: PurchaseRow;
  reversals: AwardView[];
  refundId: string;
  amount: number;
}

/**
 * Reads of purchases and refunds as the graph shows them (batched for DataLoaders): a breakdown
 * line is PENDING until its ledger posting is POSTED.
 */
export class PurchaseQueries {
  /** Purchases read without the query builder: every `recordPurchase` looks its order up. */
  private readonly purchases: EntityReader<PurchaseRow>;

  constructor(private readonly transactor: Transactor) {
    this.purchases = new EntityReader(transactor, PurchaseRow);
  }

  async findByOrder(merchantId: string, orderId: string): Promise<PurchaseRow | null> {
    const [row] = await this.purchases.whereIn('orderId', [orderId], {
      where: [['merchantId', '=', merchantId]],
    });
    return row ?? null;
  }

  /** Breakdowns of many purchases in two queries (DataLoader batch). */
  async awardsOf(purchaseIds: readonly string[]): Promise<AwardView[][]> {
    const { awards, postings } = await this.transactor.read(async (m) => {
      const awards = await m.find(AwardRow, {
        where: { purchaseId: In([...purchaseIds]) },
        order: { position: 'ASC' },
      });
      const postings = awards.length
        ? await m.findBy(PostingRow, { id: In(awards.map((a) => a.postingId)) })
        : [];
      return { awards, postings };
    });
    const postingById = new Map(postings.map((p) => [p.id, p]));
    const byPurchase = new Map<string, AwardView[]>();
    for (const a of awards) {
      const posting = postingById.get(a.postingId);
      const list = byPurchase.get(a.purchaseId) ?? [];
      list.push({
        rule: a.ruleKey,
        kind: a.kind,
        points: a.points,
        reason: a.reason,
        campaignId: a.campaignId,
        expiresAt: posting?.expiresAt ?? null,
        status: posting?.status === 'POSTED' ? 'POSTED' : 'PENDING',
        shortfall: null,
      });
      byPurchase.set(a.purchaseId, list);
    }
    return purchaseIds.map((id) => byPurchase.get(id) ?? []);
  }

  async byIds(ids: readonly string[]): Promise<(PurchaseRow | null)[]> {
    const rows = await this.transactor.read((m) => m.findBy(PurchaseRow, { id: In([...ids]) }));
    return alignToKeys(ids, rows, (r) => r.id);
  }

  /** Newest first, keyset-paginated on (recordedAt, id). */
  async list(
    filter: { merchantId?: string | null; memberId?: string | null },
    first: number,
    after: { t: number; id: string } | null,
  ) {
    return this.transactor.read((m) => {
      const qb = m
        .createQueryBuilder(PurchaseRow, 'p')
        .orderBy('p.recordedAt', 'DESC')
        .addOrderBy('p.id', 'DESC')
        .take(first + 1);
      if (filter.merchantId) qb.andWhere('p.merchantId = :merchantId', { merchantId: filter.merchantId });
      if (filter.memberId) qb.andWhere('p.memberId = :memberId', { memberId: filter.memberId });
      if (after) {
        qb.andWhere('(p.recordedAt < :t OR (p.recordedAt = :t AND p.id < :id))', {
          t: new Date(after.t),
          id: after.id,
        });
      }
      return qb.getMany();
    });
  }

  /** A refund with its reversals, as recorded (and as replayed). */
  async refundResult(refund: RefundRow): Promise<RefundResultView> {
    const { purchase, reversals, postings } = await this.transactor.read(async (m) => {
      const purchase = await m.findOneByOrFail(PurchaseRow, { id: refund.purchaseId });
      const reversals = await m.find(ReversalRow, {
        where: { refundRowId: refund.id },
        order: { kind: 'DESC' },
      });
      const postings = reversals.length
        ? await m.findBy(PostingRow, { id: In(reversals.map((r) => r.postingId)) })
        : [];
      return { purchase, reversals, postings };
    });
    const byId = new Map(postings.map((p) => [p.id, p]));
    return {
      purchase,
      refundId: refund.refundId,
      amount: refund.amount,
      reversals: reversals.map((r) => {
        const posting = byId.get(r.postingId);
        return {
          rule: 'refund',
          kind: r.kind,
          points: -r.points,
          reason: r.reason,
          campaignId: null,
          expiresAt: null,
          status: posting?.status === 'POSTED' ? 'POSTED' : 'PENDING',
          shortfall: posting?.shortfall ?? null,
        };
      }),
    };
  }
}
