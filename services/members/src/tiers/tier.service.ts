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

const INSERT_SPEND_ROWS = (count: number) =>
  'INSERT INTO `member_spend` (`id`, `memberId`, `purchaseId`, `amount`, `occurredAt`) VALUES ' +
  Array<string>(count).fill('(?, ?, ?, ?, ?)').join(', ');
const INSERT_SPEND = INSERT_SPEND_ROWS(1);
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
/** The windows of several members at once ({@link WINDOW_OF_MEMBER_LOCKED}'s lock on MySQL). */
const WINDOWS_OF_MEMBERS = (count: number, mysql: boolean) =>
  'SELECT `memberId`, SUM(`amount`) AS `total`, MIN(`occurredAt`) AS `oldest` FROM `member_spend` ' +
  `WHERE \`memberId\` IN (${Array<string>(count).fill('?').join(', ')}) AND \`occurredAt\` >= ? GROUP BY \`memberId\`` +
  (mysql ? ' FOR UPDATE' : '');
/** Members or rows a prepared statement here carries at most: each count is a shape of its own. */
const PREPARED_SHAPES = 8;

/** A member's rolling window at one moment. */
interface WindowState {
  since: Date;
  total: number;
  oldest: Date | null;
}

/** The window once a row is added: unchanged (the same object) by a row dated before it. */
function added(window: WindowState, amount: number, occurredAt: Date): WindowState {
  if (occurredAt < window.since) return window;
  const oldest = window.oldest && window.oldest < occurredAt ? window.oldest : occurredAt;
  return { since: window.since, total: window.total + amount, oldest };
}

/** Tiers derived from spending learnt through purchase events; computed when read, never stale. */
export class TierService {
  constructor(private readonly transactor: Transactor) {}

  /** Consumer of `purchase.recorded` and `purchase.refunded` (runs in the inbox transaction). */
  async onPurchaseEvent(event: SpendEvent, uow: UnitOfWork): Promise<void> {
    if (event.topic === Topics.purchaseRecorded) await this.recordPurchase(event, uow);
    else await this.recordRefund(event, uow);
  }

  /**
   * Consumer of a delivery's events, with the effect of {@link onPurchaseEvent} on each in order:
   * the purchases between two refunds in one read of their members' windows and one insert of
   * their rows, the windows then moved in memory event by event (what a read after each insert
   * would have found). The insert has no "ignore": a purchase seen before (not expected: one event
   * per purchase, and the inbox stops a redelivery) fails it, and the events are taken one by one.
   */
  async onPurchaseEvents(events: readonly SpendEvent[], uow: UnitOfWork): Promise<void> {
    let run: EventEnvelope<typeof Topics.purchaseRecorded>[] = [];
    for (const event of events) {
      if (event.topic === Topics.purchaseRecorded) {
        run.push(event);
        continue;
      }
      await this.recordPurchases(run, uow);
      run = [];
      await this.recordRefund(event, uow);
    }
    await this.recordPurchases(run, uow);
  }

  private async recordPurchases(
    events: readonly EventEnvelope<typeof Topics.purchaseRecorded>[],
    uow: UnitOfWork,
  ): Promise<void> {
    if (events.length === 0) return;
    if (events.length === 1) return this.recordPurchase(events[0], uow);
    const windows = await this.windowsOf(uow.sql, [...new Set(events.map((e) => e.payload.memberId))]);
    await uow.sql.run(
      INSERT_SPEND_ROWS(events.length),
      events.flatMap(({ payload: p }) => [
        `purchase:${p.purchaseId}`,
        p.memberId,
        p.purchaseId,
        p.amount,
        new Date(p.occurredAt),
      ]),
      { oneOff: events.length > PREPARED_SHAPES },
    );
    for (const { payload: p } of events) {
      const before = windows.get(p.memberId)!;
      const occurredAt = new Date(p.occurredAt);
      await this.announce(uow, p.memberId, before, p.amount, occurredAt);
      windows.set(p.memberId, added(before, p.amount, occurredAt));
    }
  }

  /** {@link windowOf} for several members, in one statement. */
  private async windowsOf(
    sql: Sql,
    memberIds: string[],
    now = new Date(),
  ): Promise<Map<string, WindowState>> {
    const since = new Date(now.getTime() - TIER_WINDOW_DAYS * 86_400_000);
    const rows = await sql.rows<{
      memberId: string;
      total: string | number | null;
      oldest: string | Date | null;
    }>(WINDOWS_OF_MEMBERS(memberIds.length, sql.kind === 'mysql'), [...memberIds, since], {
      oneOff: memberIds.length > PREPARED_SHAPES,
    });
    const found = new Map(rows.map((r) => [r.memberId, r]));
    return new Map(
      memberIds.map((id) => {
        const row = found.get(id);
        return [id, { since, total: Number(row?.total ?? 0), oldest: dateFromSql(row?.oldest ?? null) }];
      }),
    );
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
    const after = added(before, amount, occurredAt);
    if (after === before) return;
    const was = standingFor(before.total, before.oldest);
    const now = standingFor(after.total, after.oldest);
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
