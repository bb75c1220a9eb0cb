import { In, MoreThanOrEqual } from 'typeorm';
import type { EventEnvelope, Transactor, UnitOfWork } from '@loyalty/platform';
import { SpendRow } from './spend.entity';
import { standingFor, TIER_WINDOW_DAYS, type TierStanding } from './tier.rules';

interface PurchaseRecorded {
  purchaseId: string;
  memberId: string;
  amount: number;
  occurredAt: string;
}

interface PurchaseRefunded {
  purchaseId: string;
  refundId: string;
  memberId: string;
  amount: number;
}

/** Tiers derived from spending learnt through purchase events; computed when read, never stale. */
export class TierService {
  constructor(private readonly transactor: Transactor) {}

  /** Consumer of `purchase.recorded` and `purchase.refunded` (runs in the inbox transaction). */
  async onPurchaseEvent(event: EventEnvelope, { manager }: UnitOfWork): Promise<void> {
    if (event.topic === 'purchase.recorded') {
      const p = event.payload as unknown as PurchaseRecorded;
      const id = `purchase:${p.purchaseId}`;
      if (await manager.existsBy(SpendRow, { id })) return;
      await manager.insert(SpendRow, {
        id,
        memberId: p.memberId,
        purchaseId: p.purchaseId,
        amount: p.amount,
        occurredAt: new Date(p.occurredAt),
      });
    } else if (event.topic === 'purchase.refunded') {
      const r = event.payload as unknown as PurchaseRefunded;
      const id = `refund:${r.purchaseId}:${r.refundId}`.slice(0, 120);
      if (await manager.existsBy(SpendRow, { id })) return;
      const purchase = await manager.findOneBy(SpendRow, { id: `purchase:${r.purchaseId}` });
      await manager.insert(SpendRow, {
        id,
        memberId: r.memberId,
        purchaseId: r.purchaseId,
        amount: -Math.abs(r.amount),
        occurredAt: purchase?.occurredAt ?? new Date(event.occurredAt),
      });
    }
  }

  /** Standing of many members with one query (DataLoader batch). */
  async standings(memberIds: readonly string[], now = new Date()): Promise<TierStanding[]> {
    const since = new Date(now.getTime() - TIER_WINDOW_DAYS * 86_400_000);
    const rows = await this.transactor.read((m) =>
      m
        .createQueryBuilder(SpendRow, 's')
        .select('s.memberId', 'memberId')
        .addSelect('SUM(s.amount)', 'total')
        .where({ memberId: In([...memberIds]), occurredAt: MoreThanOrEqual(since) })
        .groupBy('s.memberId')
        .getRawMany<{ memberId: string; total: string | number }>(),
    );
    const totals = new Map(rows.map((r) => [r.memberId, Number(r.total)]));
    return memberIds.map((id) => standingFor(totals.get(id) ?? 0));
  }
}
