import { randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import type { ServiceRuntime } from '@loyalty/platform';

type Logger = ServiceRuntime['logger'];
import {
  addDuration,
  BackgroundLoop,
  forUpdate,
  isUniqueViolation,
  Topics,
  type NewEvent,
  type Transactor,
} from '@loyalty/platform';
import { AccountRow, MemberStreamRow } from '../accounts/account.entity';
import { EntryRow, EntryType } from '../entries/entry.entity';
import { HoldRow, HoldStatus } from '../holds/hold.entity';
import type { HoldService } from '../holds/hold.service';
import { bulkInsert } from '../ledger/bulk-insert';
import { balanceChangedEvent, EXPIRED_DESCRIPTION, systemClock, type Clock } from '../ledger/posting';
import { LotMoveRow, LotRow } from '../lots/lot.entity';
import { accountKey, planExpiry, selectWarnings, type Lead } from './expiry.rules';
import { WarningRow } from './warning.entity';

export interface SweepResult {
  expiredLots: number;
  warnings: number;
  timedOutHolds: number;
}

export interface SweeperOptions {
  leads: Lead[];
  intervalMs: number;
  /** Members whose due lots one transaction writes off. */
  memberBatch?: number;
  /** Lots one warning transaction considers. */
  warningBatch?: number;
  /** The time a sweep runs at; defaults to the system clock. */
  clock?: Clock;
}

const chunks = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/**
 * The background job: every EXPIRY_SWEEP_INTERVAL it writes off expired lots, sends expiry
 * warnings and times out holds. Set-based (a batch of members per transaction, multi-row INSERTs,
 * one UPDATE per chunk) and safe with several replicas: on MySQL members are claimed with
 * `FOR UPDATE SKIP LOCKED`, so two sweepers split the work instead of doing it twice; warnings are
 * unique per (lot, lead, expiry), so a race ends in a rollback, not a duplicate.
 */
export class ExpirySweeper {
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly transactor: Transactor,
    private readonly holds: HoldService,
    private readonly logger: Logger,
    private readonly options: SweeperOptions,
  ) {
    this.loop = new BackgroundLoop({
      name: 'expiry sweep',
      intervalMs: options.intervalMs,
      logger,
      runAtStart: false,
      run: () => this.tick(),
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One full sweep at `now`. */
  async tick(now: Date = (this.options.clock ?? systemClock)()): Promise<SweepResult> {
    const timedOutHolds = await this.timeoutHolds(now);
    const expiredLots = await this.expireDue(now);
    const warnings = await this.warn(now);
    if (expiredLots || warnings || timedOutHolds)
      this.logger.info({ expiredLots, warnings, timedOutHolds }, 'expiry sweep');
    return { expiredLots, warnings, timedOutHolds };
  }

  /** Writes off every lot due at `now`, a batch of members per transaction. */
  async expireDue(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const { claimed, expired } = await this.expireBatch(now);
      total += expired;
      if (claimed === 0) return total;
    }
  }

  private async expireBatch(now: Date): Promise<{ claimed: number; expired: number }> {
    const limit = this.options.memberBatch ?? 200;
    return this.transactor.run(async (uow) => {
      const m = uow.manager;
      const candidates = await m
        .createQueryBuilder(LotRow, 'l')
        .select('DISTINCT l.memberId', 'memberId')
        .where('l.expiresAt <= :now AND l.remaining > 0', { now })
        .limit(limit)
        .getRawMany<{ memberId: string }>();
      if (candidates.length === 0) return { claimed: 0, expired: 0 };
      const streams = await forUpdate(
        m.createQueryBuilder(MemberStreamRow, 's').where({ memberId: In(candidates.map((c) => c.memberId)) }),
        { skipLocked: true },
      ).getMany();
      if (streams.length === 0) return { claimed: 0, expired: 0 };
      const memberIds = streams.map((s) => s.memberId);
      const lots = await forUpdate(
        m
          .createQueryBuilder(LotRow, 'l')
          .where({ memberId: In(memberIds) })
          .andWhere('l.expiresAt <= :now AND l.remaining > 0', { now }),
      ).getMany();
      const accounts = await forUpdate(
        m.createQueryBuilder(AccountRow, 'a').where({ memberId: In(memberIds) }),
      ).getMany();
      const plan = planExpiry(
        lots,
        new Map(accounts.map((a) => [accountKey(a.memberId, a.kind), a.balance])),
        new Map(streams.map((s) => [s.memberId, s.lastSequence])),
        now,
      );
      const lotById = new Map(lots.map((l) => [l.id, l]));
      const entries: EntryRow[] = plan.drafts.map((d) => ({
        id: randomUUID(),
        memberId: d.memberId,
        sequence: d.sequence,
        kind: d.kind,
        type: EntryType.EXPIRE,
        points: d.points,
        balanceAfter: d.balanceAfter,
        description: EXPIRED_DESCRIPTION,
        merchantId: lotById.get(d.lotId)?.merchantId ?? null,
        campaignId: null,
        sourceType: null,
        sourceId: null,
        lotId: d.lotId,
        holdId: null,
        expiresAt: d.expiresAt,
        actor: 'system:expiry',
        createdAt: now,
      }));
      await bulkInsert(m, EntryRow, entries);
      await bulkInsert(
        m,
        LotMoveRow,
        entries.map((e) => ({ entryId: e.id, lotId: e.lotId!, points: e.points })),
        1000,
      );
      let updated = 0;
      for (const part of chunks(
        entries.map((e) => e.lotId!),
        1000,
      )) {
        const r = await m
          .createQueryBuilder()
          .update(LotRow)
          .set({ remaining: 0 })
          .where({ id: In(part) })
          .andWhere('remaining > 0')
          .execute();
        updated += r.affected ?? 0;
      }
      if (updated !== entries.length)
        throw new Error(`expiry batch changed ${updated} lots for ${entries.length} entries`);
      const touchedAccounts = accounts.filter(
        (a) => plan.balances.get(accountKey(a.memberId, a.kind)) !== a.balance,
      );
      await this.caseUpdate(
        m,
        'ledger_accounts',
        'balance',
        touchedAccounts.map((a) => ({
          where: { memberId: a.memberId, kind: a.kind },
          value: plan.balances.get(accountKey(a.memberId, a.kind))!,
        })),
      );
      const touchedStreams = streams.filter((s) => plan.lastSequences.get(s.memberId) !== s.lastSequence);
      await this.caseUpdate(
        m,
        'ledger_members',
        'lastSequence',
        touchedStreams.map((s) => ({
          where: { memberId: s.memberId },
          value: plan.lastSequences.get(s.memberId)!,
        })),
      );
      await uow.publish(...entries.map(balanceChangedEvent));
      return { claimed: streams.length, expired: entries.length };
    });
  }

  /** `UPDATE t SET col = CASE WHEN … THEN … END WHERE …`: one statement per 500 rows. */
  private async caseUpdate(
    m: EntityManager,
    table: string,
    column: string,
    rows: { where: Record<string, string>; value: number }[],
  ): Promise<void> {
    for (const part of chunks(rows, 500)) {
      const params: (string | number)[] = [];
      const whens = part
        .map((r) => {
          const cond = Object.entries(r.where)
            .map(([k, v]) => {
              params.push(v);
              return `\`${k}\` = ?`;
            })
            .join(' AND ');
          params.push(r.value);
          return `WHEN ${cond} THEN ?`;
        })
        .join(' ');
      const ids = part.map((r) => r.where.memberId);
      params.push(...ids);
      await m.query(
        `UPDATE \`${table}\` SET \`${column}\` = CASE ${whens} ELSE \`${column}\` END WHERE \`memberId\` IN (${ids.map(() => '?').join(', ')})`,
        params,
      );
    }
  }

  /** Warnings for every lead, once per (lot, lead, expiry). */
  async warn(now: Date): Promise<number> {
    let sent = 0;
    const limit = this.options.warningBatch ?? 1000;
    for (const lead of this.options.leads) {
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

  /** Releases holds whose time is up (status EXPIRED, a RELEASE entry). */
  async timeoutHolds(now: Date): Promise<number> {
    const ids = await this.transactor.read((m) =>
      m
        .createQueryBuilder(HoldRow, 'h')
        .select('h.id', 'id')
        .where('h.status = :status AND h.expiresAt <= :now', { status: HoldStatus.HELD, now })
        .limit(500)
        .getRawMany<{ id: string }>(),
    );
    let n = 0;
    for (const { id } of ids) if (await this.holds.timeoutHold(id, now)) n += 1;
    return n;
  }
}
