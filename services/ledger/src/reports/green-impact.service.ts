import { In, type EntityManager } from 'typeorm';
import { PointKind, Topics, type EventEnvelope, type Sql, type Transactor } from '@loyalty/platform';
import { EntryRow, EntryType } from '../entries/entry.entity';
import { GreenLineRow } from './green-line.entity';
import { co2eGrams, greenLines, refundLines, withPoints, type Co2eFactors } from './green.rules';

export interface GreenImpact {
  from: Date | null;
  to: Date | null;
  greenPointsEarned: number;
  greenPointsRedeemed: number;
  co2eGrams: number;
  byCategory: { category: string; amount: number; points: number; co2eGrams: number }[];
}

type PurchaseEvent = EventEnvelope<typeof Topics.purchaseRecorded | typeof Topics.purchaseRefunded>;

/** A row of `ledger_green_lines`, in its columns' order. */
type GreenLineValues = [string, string, string, number, string, number, number, Date];

/** A purchase's green lines (none without a green item), its GREEN points shared among them. */
function purchaseLines(event: EventEnvelope<typeof Topics.purchaseRecorded>): GreenLineValues[] {
  const p = event.payload;
  const lines = greenLines(p.green ?? []);
  if (lines.length === 0) return [];
  const points = p.awards.filter((a) => a.kind === PointKind.GREEN).reduce((s, a) => s + a.points, 0);
  const at = new Date(event.occurredAt);
  return withPoints(lines, points).map((l) => [
    event.id,
    p.memberId,
    p.purchaseId,
    p.amount,
    l.category,
    l.amount,
    l.points,
    at,
  ]);
}

async function insertLines(sql: Sql, rows: GreenLineValues[]): Promise<void> {
  if (rows.length === 0) return;
  await sql.run(
    'INSERT INTO `ledger_green_lines` (`eventId`, `memberId`, `purchaseId`, `purchaseAmount`, `category`, `amount`, `points`, `at`) VALUES ' +
      rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', '),
    rows.flat(),
    // One shape per number of lines: the usual one or two stay prepared.
    { oneOff: rows.length > 4 },
  );
}

/**
 * A member's green consumption: spend per green category from the campaigns service's purchase
 * and refund events (kept in `ledger_green_lines`), GREEN points from the ledger's own entries.
 */
export class GreenImpactService {
  constructor(
    private readonly transactor: Transactor,
    private readonly factors: Co2eFactors,
  ) {}

  /**
   * Whether {@link record} may write for the event: a purchase without green items writes
   * nothing, so its event is skipped before any transaction (a refund's purchase is read first).
   */
  relevant(event: PurchaseEvent): boolean {
    return event.topic !== Topics.purchaseRecorded || greenLines(event.payload.green ?? []).length > 0;
  }

  /**
   * Consumer of `purchase.recorded` and `purchase.refunded` (inside the inbox's transaction). A
   * purchase's lines, on every purchase with a green item, are one prepared INSERT (the generated
   * ids are not read back).
   */
  async record(event: PurchaseEvent, m: EntityManager, sql: Sql): Promise<void> {
    if (event.topic === Topics.purchaseRecorded) return insertLines(sql, purchaseLines(event));
    return this.recordRefund(event, m);
  }

  /**
   * {@link record} for a delivery's events in order: the lines of the purchases between two
   * refunds in one INSERT (a refund reads the lines of the purchases before it).
   */
  async recordAll(events: readonly PurchaseEvent[], m: EntityManager, sql: Sql): Promise<void> {
    let lines: GreenLineValues[] = [];
    for (const event of events) {
      if (event.topic === Topics.purchaseRecorded) {
        lines.push(...purchaseLines(event));
        continue;
      }
      await insertLines(sql, lines);
      lines = [];
      await this.recordRefund(event, m);
    }
    await insertLines(sql, lines);
  }

  private async recordRefund(
    event: EventEnvelope<typeof Topics.purchaseRefunded>,
    m: EntityManager,
  ): Promise<void> {
    const at = new Date(event.occurredAt);
    const r = event.payload;
    const bought = await m.findBy(GreenLineRow, { purchaseId: r.purchaseId });
    const original = bought.filter((l) => l.amount > 0);
    if (original.length === 0) return;
    const taken = refundLines(
      original,
      original[0].purchaseAmount,
      r.refundedTotal - r.amount,
      r.refundedTotal,
    );
    if (taken.length === 0) return;
    await m.insert(
      GreenLineRow,
      taken.map((l) => ({
        ...l,
        eventId: event.id,
        memberId: r.memberId,
        purchaseId: r.purchaseId,
        purchaseAmount: original[0].purchaseAmount,
        at,
      })),
    );
  }

  /** The report for `[from, to)` (either end open when null). */
  async report(memberId: string, from: Date | null, to: Date | null): Promise<GreenImpact> {
    return this.transactor.read(async (m) => {
      const lines = m
        .createQueryBuilder(GreenLineRow, 'g')
        .select('g.category', 'category')
        .addSelect('SUM(g.amount)', 'amount')
        .addSelect('SUM(g.points)', 'points')
        .where('g.memberId = :memberId', { memberId })
        .groupBy('g.category')
        .orderBy('g.category');
      const entries = m
        .createQueryBuilder(EntryRow, 'e')
        .select('e.type', 'type')
        .addSelect('SUM(e.points)', 'points')
        .where('e.memberId = :memberId AND e.kind = :kind', { memberId, kind: PointKind.GREEN })
        .andWhere({ type: In([EntryType.EARN, EntryType.REVERSE, EntryType.REDEEM, EntryType.RESTORE]) })
        .groupBy('e.type');
      if (from) {
        lines.andWhere('g.at >= :from', { from });
        entries.andWhere('e.createdAt >= :from', { from });
      }
      if (to) {
        lines.andWhere('g.at < :to', { to });
        entries.andWhere('e.createdAt < :to', { to });
      }
      const byCategory = (await lines.getRawMany<{ category: string; amount: unknown; points: unknown }>())
        .map((r) => ({ category: r.category, amount: Number(r.amount ?? 0), points: Number(r.points ?? 0) }))
        .filter((r) => r.amount !== 0 || r.points !== 0)
        .map((r) => ({ ...r, co2eGrams: co2eGrams(this.factors, r.category, r.amount) }));
      const sums = new Map(
        (await entries.getRawMany<{ type: string; points: unknown }>()).map((r) => [
          r.type,
          Number(r.points ?? 0),
        ]),
      );
      const of = (t: EntryType) => sums.get(t) ?? 0;
      return {
        from,
        to,
        // Earned net of refunds (REVERSE is negative); redeemed net of restored redemptions.
        greenPointsEarned: of(EntryType.EARN) + of(EntryType.REVERSE),
        greenPointsRedeemed: 0 - of(EntryType.REDEEM) - of(EntryType.RESTORE),
        co2eGrams: byCategory.reduce((s, c) => s + c.co2eGrams, 0),
        byCategory,
      };
    });
  }
}
