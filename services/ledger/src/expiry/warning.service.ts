import { randomUUID } from 'node:crypto';
import {
  chunks,
  addDuration,
  isUniqueViolation,
  Topics,
  type NewEvent,
  type ServiceRuntime,
  type Transactor,
} from '@loyalty/platform';
import { LotRow } from '../lots/lot.entity';
import { selectWarnings, type Lead } from './expiry.rules';
import { WarningRow } from './warning.entity';

type Logger = ServiceRuntime['logger'];

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
            const lots = await uow.manager
              .createQueryBuilder(LotRow, 'l')
              .where('l.remaining > 0 AND l.expiresAt > :now AND l.expiresAt <= :cutoff', {
                now,
                cutoff: addDuration(now, lead.duration),
              })
              .andWhere(
                'NOT EXISTS (SELECT 1 FROM ledger_expiry_warnings w WHERE w.lotId = l.id AND w.lead = :lead AND w.expiresAt = l.expiresAt)',
                { lead: lead.text },
              )
              .orderBy('l.expiresAt', 'ASC')
              .limit(limit)
              .getMany();
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
