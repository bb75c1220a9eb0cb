import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import { forUpdate, type Transactor } from '@loyalty/platform';
import { AccountRow, MemberStreamRow } from '../accounts/account.entity';
import { EntryRow, EntryType } from '../entries/entry.entity';
import { bulkInsert, caseUpdate, chunks } from '../ledger/bulk-write';
import { balanceChangedEvent, EXPIRED_DESCRIPTION } from '../ledger/posting';
import { LotMoveRow, LotRow } from '../lots/lot.entity';
import { accountKey, planExpiry } from './expiry.rules';

/**
 * Writes off due lots, set-based: a batch of members per transaction (claimed with
 * `FOR UPDATE SKIP LOCKED` on MySQL, so replicas split the work and a member busy with a write
 * waits for the next round), EXPIRE entries planned by {@link planExpiry} and written with
 * multi-row INSERTs and a few `UPDATE … CASE` statements.
 */
export class ExpiryService {
  constructor(
    private readonly transactor: Transactor,
    /** Members whose due lots one transaction writes off. */
    private readonly memberBatch = 200,
  ) {}

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
    const limit = this.memberBatch;
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
      await bulkInsert(uow.sql, m, EntryRow, entries);
      await bulkInsert(
        uow.sql,
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
      await caseUpdate(
        m,
        'ledger_accounts',
        'balance',
        touchedAccounts.map((a) => ({
          where: { memberId: a.memberId, kind: a.kind },
          value: plan.balances.get(accountKey(a.memberId, a.kind))!,
        })),
      );
      const touchedStreams = streams.filter((s) => plan.lastSequences.get(s.memberId) !== s.lastSequence);
      await caseUpdate(
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
}
