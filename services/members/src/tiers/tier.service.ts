import { readRows, Topics, type EventEnvelope, type Transactor, type UnitOfWork } from '@loyalty/platform';
import { SpendRow } from './spend.entity';
import { standingFor, TIER_WINDOW_DAYS, type TierStanding } from './tier.rules';

/** The purchase events tiers are learnt from. */
export const SPEND_TOPICS = [Topics.purchaseRecorded, Topics.purchaseRefunded] as const;

/** One of {@link SPEND_TOPICS}, typed by its topic. */
export type SpendEvent = EventEnvelope<(typeof SPEND_TOPICS)[number]>;

/** Tiers derived from spending learnt through purchase events; computed when read, never stale. */
export class TierService {
  constructor(private readonly transactor: Transactor) {}

  /** Consumer of `purchase.recorded` and `purchase.refunded` (runs in the inbox transaction). */
  async onPurchaseEvent(event: SpendEvent, uow: UnitOfWork): Promise<void> {
    if (event.topic === Topics.purchaseRecorded) await this.recordPurchase(event, uow);
    else await this.recordRefund(event, uow);
  }

  private async recordPurchase(
    { payload: p }: EventEnvelope<typeof Topics.purchaseRecorded>,
    { manager }: UnitOfWork,
  ): Promise<void> {
    const id = `purchase:${p.purchaseId}`;
    if (await manager.existsBy(SpendRow, { id })) return;
    await manager.insert(SpendRow, {
      id,
      memberId: p.memberId,
      purchaseId: p.purchaseId,
      amount: p.amount,
      occurredAt: new Date(p.occurredAt),
    });
  }

  /** A refund counts against the purchase's date, so both leave the rolling window together. */
  private async recordRefund(
    event: EventEnvelope<typeof Topics.purchaseRefunded>,
    { manager }: UnitOfWork,
  ): Promise<void> {
    const r = event.payload;
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

  /** Standing of many members with one query (DataLoader batch). */
  async standings(memberIds: readonly string[], now = new Date()): Promise<TierStanding[]> {
    const since = new Date(now.getTime() - TIER_WINDOW_DAYS * 86_400_000);
    // Plain SQL: read on every member fetch (each dashboard), where the query builder's own work
    // cost more than the statement.
    const rows = await readRows<{ memberId: string; total: string | number }>(
      this.transactor,
      'SELECT `memberId`, SUM(`amount`) AS `total` FROM `member_spend` ' +
        `WHERE \`memberId\` IN (${memberIds.map(() => '?').join(', ')}) AND \`occurredAt\` >= ? GROUP BY \`memberId\``,
      [...memberIds, since],
      { oneOff: memberIds.length > 16 },
    );
    const totals = new Map(rows.map((r) => [r.memberId, Number(r.total)]));
    return memberIds.map((id) => standingFor(totals.get(id) ?? 0));
  }
}
