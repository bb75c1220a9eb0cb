import {
  dateFromSql,
  readRows,
  Topics,
  type EventEnvelope,
  type Sql,
  type Transactor,
  type UnitOfWork,
} from '@loyalty/platform';
import { SpendRow } from './spend.entity';
import { standingFor, TIER_WINDOW_DAYS, type TierStanding } from './tier.rules';

/** The purchase events tiers are learnt from. */
export const SPEND_TOPICS = [Topics.purchaseRecorded, Topics.purchaseRefunded] as const;

/** One of {@link SPEND_TOPICS}, typed by its topic. */
export type SpendEvent = EventEnvelope<(typeof SPEND_TOPICS)[number]>;

const INSERT_SPEND =
  'INSERT INTO `member_spend` (`id`, `memberId`, `purchaseId`, `amount`, `occurredAt`) VALUES (?, ?, ?, ?, ?)';
const INSERT_SPEND_MYSQL = INSERT_SPEND + ' ON DUPLICATE KEY UPDATE `id` = `id`';
const INSERT_SPEND_SQLITE = INSERT_SPEND + ' ON CONFLICT (`id`) DO NOTHING';
const WINDOW_OF_MEMBER =
  'SELECT SUM(`amount`) AS `total`, MIN(`occurredAt`) AS `oldest` FROM `member_spend` ' +
  'WHERE `memberId` = ? AND `occurredAt` >= ?';
/**
 * MySQL: a locking read, so two events of one member handled at once (replicas) are decided one
 * after the other, each seeing the other's row (else both could stay under a threshold they
 * cross together, and no change would be announced); SQLite serialises writers already.
 */
const WINDOW_OF_MEMBER_LOCKED = `${WINDOW_OF_MEMBER} FOR UPDATE`;

/** A member's rolling window at one moment. */
interface WindowState {
  since: Date;
  total: number;
  oldest: Date | null;
}

/** Tiers derived from spending learnt through purchase events; computed when read, never stale. */
export class TierService {
  constructor(private readonly transactor: Transactor) {}

  /** Consumer of `purchase.recorded` and `purchase.refunded` (runs in the inbox transaction). */
  async onPurchaseEvent(event: SpendEvent, uow: UnitOfWork): Promise<void> {
    if (event.topic === Topics.purchaseRecorded) await this.recordPurchase(event, uow);
    else await this.recordRefund(event, uow);
  }

  private async recordPurchase(
    event: EventEnvelope<typeof Topics.purchaseRecorded>,
    uow: UnitOfWork,
  ): Promise<void> {
    const p = event.payload;
    const occurredAt = new Date(p.occurredAt);
    const before = await this.windowOf(uow.sql, p.memberId);
    // The row's id makes a second event of the same purchase change nothing.
    const added = await uow.sql.run(uow.sql.kind === 'mysql' ? INSERT_SPEND_MYSQL : INSERT_SPEND_SQLITE, [
      `purchase:${p.purchaseId}`,
      p.memberId,
      p.purchaseId,
      p.amount,
      occurredAt,
    ]);
    if (added) await this.announce(uow, p.memberId, before, p.amount, occurredAt);
  }

  /**
   * The member's window as it stood before a row is added: the sum and its oldest row. Read here
   * (one statement) so that a changed tier answer is announced: campaigns caches it.
   */
  private async windowOf(sql: Sql, memberId: string, now = new Date()): Promise<WindowState> {
    const since = new Date(now.getTime() - TIER_WINDOW_DAYS * 86_400_000);
    const [row] = await sql.rows<{ total: string | number | null; oldest: string | Date | null }>(
      sql.kind === 'mysql' ? WINDOW_OF_MEMBER_LOCKED : WINDOW_OF_MEMBER,
      [memberId, since],
    );
    return { since, total: Number(row?.total ?? 0), oldest: dateFromSql(row?.oldest ?? null) };
  }

  /** Publishes `member.tier_changed` when adding a row changed the member's tier answer. */
  private async announce(
    uow: UnitOfWork,
    memberId: string,
    before: WindowState,
    amount: number,
    occurredAt: Date,
  ): Promise<void> {
    // A row dated before the window never counts (nor does it move the window's oldest).
    if (occurredAt < before.since) return;
    const was = standingFor(before.total, before.oldest);
    const oldest = before.oldest && before.oldest < occurredAt ? before.oldest : occurredAt;
    const now = standingFor(before.total + amount, oldest);
    if (was.tier === now.tier && was.heldUntil?.getTime() === now.heldUntil?.getTime()) return;
    await uow.publish({
      topic: Topics.memberTierChanged,
      key: memberId,
      payload: { memberId, tier: now.tier, heldUntil: now.heldUntil?.toISOString() ?? null },
    });
  }

  /** A refund counts against the purchase's date, so both leave the rolling window together. */
  private async recordRefund(
    event: EventEnvelope<typeof Topics.purchaseRefunded>,
    uow: UnitOfWork,
  ): Promise<void> {
    const { manager } = uow;
    const r = event.payload;
    const id = `refund:${r.purchaseId}:${r.refundId}`.slice(0, 120);
    if (await manager.existsBy(SpendRow, { id })) return;
    const purchase = await manager.findOneBy(SpendRow, { id: `purchase:${r.purchaseId}` });
    const before = await this.windowOf(uow.sql, r.memberId);
    const occurredAt = purchase?.occurredAt ?? new Date(event.occurredAt);
    const amount = -Math.abs(r.amount);
    await manager.insert(SpendRow, {
      id,
      memberId: r.memberId,
      purchaseId: r.purchaseId,
      amount,
      occurredAt,
    });
    await this.announce(uow, r.memberId, before, amount, occurredAt);
  }

  /** Standing of many members with one query (DataLoader batch). */
  async standings(memberIds: readonly string[], now = new Date()): Promise<TierStanding[]> {
    const since = new Date(now.getTime() - TIER_WINDOW_DAYS * 86_400_000);
    // Plain SQL: read on every member fetch (each dashboard), where the query builder's own work
    // cost more than the statement.
    const rows = await readRows<{ memberId: string; total: string | number; oldest: string | Date | null }>(
      this.transactor,
      'SELECT `memberId`, SUM(`amount`) AS `total`, MIN(`occurredAt`) AS `oldest` FROM `member_spend` ' +
        `WHERE \`memberId\` IN (${memberIds.map(() => '?').join(', ')}) AND \`occurredAt\` >= ? GROUP BY \`memberId\``,
      [...memberIds, since],
      { oneOff: memberIds.length > 16 },
    );
    const windows = new Map(rows.map((r) => [r.memberId, r]));
    return memberIds.map((id) => {
      const w = windows.get(id);
      return standingFor(Number(w?.total ?? 0), dateFromSql(w?.oldest ?? null));
    });
  }
}
