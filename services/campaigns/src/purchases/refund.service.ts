import { randomUUID } from 'node:crypto';
import {
  BadInputError,
  ConflictError,
  forUpdate,
  isUniqueViolation,
  NotFoundError,
  Topics,
  type PointKind,
  type Transactor,
} from '@loyalty/platform';
import { addPostings, postSoon, type LedgerPoster } from '../postings/posting.service';
import { cumulativeReversal, formatYuan } from '../rules/earn.rules';
import type { RefundInput } from './purchase.input';
import { AwardRow, PurchaseRow, RefundRow, ReversalRow } from './purchase.entity';
import type { PurchaseQueries, RefundResultView } from './purchase.queries';
import { normalizeRefund, refundKey, type PurchaseLimits } from './purchase.rules';

/**
 * R7: refunds take back points in proportion to the refunded amount, idempotent by refundId.
 * The refund, its REVERSE postings (posted after the purchase's credits) and its
 * `purchase.refunded` event are written in one transaction.
 */
export class RefundService {
  constructor(
    private readonly transactor: Transactor,
    private readonly poster: LedgerPoster,
    private readonly queries: PurchaseQueries,
    private readonly limits: PurchaseLimits,
  ) {}

  /** Takes back points in proportion to the refunded amount; idempotent by refundId. */
  async refund(input: RefundInput): Promise<RefundResultView> {
    const { merchantId, orderId, refundId, requested, hash } = normalizeRefund(input, this.limits);
    const existing = await this.transactor.read((m) => m.findOneBy(RefundRow, { merchantId, refundId }));
    if (existing) return this.refundReplay(existing, hash);
    const purchase = await this.queries.findByOrder(merchantId, orderId);
    if (!purchase) throw new NotFoundError(`Purchase of order ${orderId} at merchant`, merchantId);
    let outcome: { refund: RefundRow; purchase: PurchaseRow; postingIds: string[] } | { replay: RefundRow };
    try {
      outcome = await this.transactor.run(async ({ manager, publish }) => {
        const locked = await forUpdate(
          manager.createQueryBuilder(PurchaseRow, 'p').where('p.id = :id', { id: purchase.id }),
        ).getOneOrFail();
        const again = await manager.findOneBy(RefundRow, { merchantId, refundId });
        if (again) return { replay: again };
        const left = locked.amount - locked.refundedAmount;
        if (left <= 0) throw new BadInputError(`Order ${orderId} is already fully refunded`, 'amount');
        const amount = requested ?? left;
        if (amount > left) {
          throw new BadInputError(
            `amount ${amount} exceeds the ${left} left to refund of order ${orderId}`,
            'amount',
          );
        }
        const refundedTotal = locked.refundedAmount + amount;
        const now = new Date();
        const refund = manager.create(RefundRow, {
          id: randomUUID(),
          merchantId,
          refundId,
          purchaseId: locked.id,
          amount,
          requestHash: hash,
          createdAt: now,
        });
        const awards = await manager.find(AwardRow, {
          where: { purchaseId: locked.id },
          order: { position: 'ASC' },
        });
        const perKind = new Map<PointKind, number>();
        for (const a of awards) {
          const target = cumulativeReversal(a.points, refundedTotal, locked.amount);
          const delta = target - a.reversedPoints;
          if (delta <= 0) continue;
          await manager.update(AwardRow, { id: a.id }, { reversedPoints: target });
          perKind.set(a.kind, (perKind.get(a.kind) ?? 0) + delta);
        }
        const reason = `Refund ${refundId}: ${formatYuan(amount)} of ${formatYuan(locked.amount)} yuan (order ${orderId})`;
        const kinds = [...perKind.entries()].filter(([, pts]) => pts > 0);
        const postings = await addPostings(
          manager,
          kinds.map(([kind, pts]) => ({
            idempotencyKey: refundKey(merchantId, refundId, kind),
            operation: 'REVERSE',
            memberId: locked.memberId,
            kind,
            points: pts,
            reason,
            merchantId,
            campaignId: null,
            sourceType: 'purchase',
            sourceId: locked.id,
            validity: null,
            expiresAt: null,
          })),
          undefined,
          // The request posts them itself once it commits (postSoon).
          { postSoon: true },
        );
        await manager.insert(RefundRow, refund);
        if (kinds.length) {
          await manager.insert(
            ReversalRow,
            kinds.map(([kind, pts], i) => ({
              id: randomUUID(),
              refundRowId: refund.id,
              kind,
              points: pts,
              reason,
              postingId: postings[i].id,
            })),
          );
        }
        locked.refundedAmount = refundedTotal;
        await manager.update(PurchaseRow, { id: locked.id }, { refundedAmount: refundedTotal });
        await publish({
          topic: Topics.purchaseRefunded,
          key: locked.memberId,
          payload: {
            purchaseId: locked.id,
            refundId,
            merchantId,
            memberId: locked.memberId,
            amount,
            refundedTotal,
            fullyRefunded: refundedTotal >= locked.amount,
            orderId,
            reversed: kinds.map(([kind, points]) => ({ kind, points })),
          },
        });
        return { refund, purchase: locked, postingIds: postings.map((x) => x.id) };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.transactor.read((m) => m.findOneBy(RefundRow, { merchantId, refundId }));
      if (!winner) throw error;
      return this.refundReplay(winner, hash);
    }
    if ('replay' in outcome) return this.refundReplay(outcome.replay, hash);
    await postSoon(this.poster, outcome.postingIds);
    return this.queries.refundResult(outcome.refund);
  }

  private async refundReplay(existing: RefundRow, hash: string): Promise<RefundResultView> {
    if (existing.requestHash !== hash)
      throw new ConflictError(`Refund ${existing.refundId} was already made with different data`);
    return this.queries.refundResult(existing);
  }
}
