import { randomUUID } from 'node:crypto';
import {
  chunks,
  addDuration,
  dateFromSql,
  isUniqueViolation,
  Topics,
  type NewEvent,
  type ServiceRuntime,
  type Sql,
  type Transactor,
} from '@loyalty/platform';
import type { LotRow } from '../lots/lot.entity';
import { selectWarnings, type Lead } from './expiry.rules';
import * as q from './expiry.sql';
import { WarningRow } from './warning.entity';

type Logger = ServiceRuntime['logger'];

export type WarnableLot = Pick<
  LotRow,
  'id' | 'memberId' | 'kind' | 'remaining' | 'earnedAt' | 'expiresAt' | 'merchantId'
>;

/** Lots to warn for one lead at `now` (see {@link q.warnable}), soonest expiry first. */
export async function lotsToWarn(sql: Sql, lead: Lead, now: Date, limit: number): Promise<WarnableLot[]> {
  const rows = await sql.rows<
    Omit<WarnableLot, 'earnedAt' | 'expiresAt'> & { earnedAt: string | Date; expiresAt: string | Date }
  >(q.warnable(limit, sql.kind === 'mysql'), [now, addDuration(now, lead.duration), lead.text]);
  return rows.map((r) => ({
    ...r,
    remaining: Number(r.remaining),
    earnedAt: dateFromSql(r.earnedAt)!,
    expiresAt: dateFromSql(r.expiresAt),
  }));
}

/**
 * Expiry warnings: per lead, lots whose expiry is within the lead and that have no warning for
 * (lot, lead, expiry) yet. Sent ones go out as `points.expiring` events; the unique key makes a
 * race between replicas a rollback, never a second warning.
 */
export class WarningService {
  constructor(
    private readonly transactor: Transactor,
    private readonly logger: Logger,
    private readonly leads: readonly Lead[],
    /** Lots one warning transaction considers. */
    private readonly warningBatch = 1000,
  ) {}

  /** Warnings for every lead, once per (lot, lead, expiry). */
  async warn(now: Date): Promise<number> {
    let sent = 0;
    const limit = this.warningBatch;
    for (const lead of this.leads) {
      for (;;) {
        let considered = 0;
        try {
          const result = await this.transactor.run(async (uow) => {
            const lots = await lotsToWarn(uow.sql, lead, now, limit);
            const { send, skip } = selectWarnings(lots, lead, now);
            const rows = [
              ...send.map((d) => ({ d, status: 'SENT' as const })),
              ...skip.map((d) => ({ d, status: 'SKIPPED' as const })),
            ].map(({ d, status }) =>
              uow.manager.create(WarningRow, {
                id: randomUUID(),
                lotId: d.lot.id,
                memberId: d.lot.memberId,
                kind: d.lot.kind,
                lead: lead.text,
                points: d.lot.remaining,
                expiresAt: d.lot.expiresAt!,
                daysLeft: d.daysLeft,
                status,
                createdAt: now,
              }),
            );
            for (const part of chunks(rows, 500)) await uow.manager.insert(WarningRow, part);
            const merchantOf = new Map(lots.map((l) => [l.id, l.merchantId]));
            const events: NewEvent[] = rows
              .filter((r) => r.status === 'SENT')
              .map((r) => ({
                topic: Topics.pointsExpiring,
                key: r.memberId,
                payload: {
                  memberId: r.memberId,
                  kind: r.kind,
                  points: r.points,
                  expiresAt: r.expiresAt.toISOString(),
                  daysLeft: r.daysLeft,
                  lotId: r.lotId,
                  lead: r.lead,
                  warningId: r.id,
                  createdAt: r.createdAt.toISOString(),
                  merchantId: merchantOf.get(r.lotId) ?? null,
                },
              }));
            await uow.publish(...events);
            return { considered: lots.length, recorded: rows.length, sent: events.length };
          });
          considered = result.recorded === 0 ? 0 : result.considered;
          sent += result.sent;
        } catch (error) {
          // Another replica recorded some of these warnings first: its commit wins, ours rolls back.
          if (!isUniqueViolation(error)) throw error;
          this.logger.debug({ lead: lead.text }, 'warnings raced with another sweeper');
        }
        if (considered < limit) break;
      }
    }
    return sent;
  }
}
