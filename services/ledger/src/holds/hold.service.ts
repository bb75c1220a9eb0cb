import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ConflictError, forUpdate, NotFoundError, type UnitOfWork } from '@loyalty/platform';
import { EntryRow, EntryType } from '../entries/entry.entity';
import { runIdempotent } from '../idempotency/idempotency';
import {
  assertId,
  assertIdempotencyKey,
  assertMemberWrite,
  assertOptionalId,
  assertPoints,
  assertText,
} from '../ledger/ledger.rules';
import { writeForMember, type WriteDeps } from '../ledger/member-write';
import { loadEntry, MemberPosting } from '../ledger/posting';
import { LotMoveRow } from '../lots/lot.entity';
import { allocate, restoredExpiry } from '../lots/lot.rules';
import { HoldRow, HoldStatus } from './hold.entity';
import { assertHoldTtl } from './hold.rules';

export interface HoldCommand {
  idempotencyKey: string;
  memberId: string;
  kind: string;
  points: number;
  reason: string;
  ttlSeconds?: number | null;
  merchantId?: string | null;
}

/**
 * Two-phase spending: a hold reserves points from the soonest-expiring lots; it is then captured
 * (spent), released (given back to its lots) or timed out, and a capture may be restored.
 */
export class HoldService {
  constructor(
    private readonly deps: WriteDeps,
    /** Fresh validity of restored points whose lot expired meanwhile (POINTS_VALIDITY). */
    private readonly pointsValidity: string,
  ) {}

  /** Reserves points from the soonest-expiring lots: a HOLD entry (−points). */
  async hold(cmd: HoldCommand, actor: string): Promise<HoldRow> {
    const { key, memberId, kind } = assertMemberWrite(cmd);
    const points = assertPoints(cmd.points);
    const reason = assertText(cmd.reason, 'reason');
    const merchantId = assertOptionalId(cmd.merchantId, 'merchantId');
    const ttl = assertHoldTtl(cmd.ttlSeconds);
    return writeForMember(this.deps, {
      key,
      operation: 'hold',
      params: { memberId, kind, points, reason, merchantId, ttl },
      memberId,
      actor,
      load: loadHold,
      work: async (posting, uow) => {
        const holdId = randomUUID();
        // Lots first: any already past expiry are written off before the hold is checked.
        const lots = await posting.openLots(kind);
        const entry = posting.post({
          kind,
          type: EntryType.HOLD,
          points: -points,
          description: reason,
          merchantId,
          holdId,
        });
        const takes = allocate(lots, points);
        if (!takes) throw new Error(`lots of member ${memberId} do not cover the ${kind} balance`);
        await posting.moveLots(entry, takes, -1);
        const hold = uow.manager.create(HoldRow, {
          id: holdId,
          memberId,
          kind,
          points,
          status: HoldStatus.HELD,
          expiresAt: new Date(posting.now.getTime() + ttl * 1000),
          reason,
          merchantId,
          holdEntryId: entry.id,
          resolvedEntryId: null,
          restoredEntryId: null,
          createdAt: posting.now,
          resolvedAt: null,
        });
        await uow.manager.insert(HoldRow, hold);
        return { result: hold, ref: `hold:${hold.id}` };
      },
    });
  }

  /** Locks the member of a hold, then the hold itself. */
  private async openHold(
    uow: UnitOfWork,
    holdId: string,
    actor: string,
    now = this.deps.clock(),
  ): Promise<{ posting: MemberPosting; hold: HoldRow }> {
    const found = await uow.manager.findOneBy(HoldRow, { id: holdId });
    if (!found) throw new NotFoundError('Hold', holdId);
    const posting = await MemberPosting.open(uow, found.memberId, now, actor);
    const hold = await forUpdate(
      uow.manager.createQueryBuilder(HoldRow, 'h').where('h.id = :id', { id: holdId }),
    ).getOneOrFail();
    return { posting, hold };
  }

  private async setHoldStatus(
    uow: UnitOfWork,
    hold: HoldRow,
    from: HoldStatus,
    patch: Partial<HoldRow>,
  ): Promise<void> {
    const result = await uow.manager
      .createQueryBuilder()
      .update(HoldRow)
      .set(patch)
      .where('id = :id AND status = :from', { id: hold.id, from })
      .execute();
    if (result.affected !== 1) throw new ConflictError(`Hold ${hold.id} was resolved concurrently`);
    Object.assign(hold, patch);
  }

  /** Spends held points: RELEASE (+n) and REDEEM (−n); the lots stay consumed as the hold took them. */
  async capture(holdId: string, idempotencyKey: string, actor: string): Promise<EntryRow> {
    const key = assertIdempotencyKey(idempotencyKey);
    const id = assertId(holdId, 'holdId');
    return runIdempotent(this.deps.transactor, {
      key,
      operation: 'capture',
      params: { holdId: id },
      load: loadEntry,
      work: async (uow) => {
        const { posting, hold } = await this.openHold(uow, id, actor);
        if (hold.status !== HoldStatus.HELD) throw new ConflictError(`Hold ${id} is already ${hold.status}`);
        if (hold.expiresAt.getTime() <= posting.now.getTime())
          throw new ConflictError(`Hold ${id} has timed out`);
        posting.post({
          kind: hold.kind,
          type: EntryType.RELEASE,
          points: hold.points,
          description: 'Reserved points released for capture',
          merchantId: hold.merchantId,
          holdId: hold.id,
        });
        const redeem = posting.post({
          kind: hold.kind,
          type: EntryType.REDEEM,
          points: -hold.points,
          description: hold.reason,
          merchantId: hold.merchantId,
          holdId: hold.id,
        });
        await this.setHoldStatus(uow, hold, HoldStatus.HELD, {
          status: HoldStatus.CAPTURED,
          resolvedEntryId: redeem.id,
          resolvedAt: posting.now,
        });
        await posting.flush();
        return { result: redeem, ref: `entry:${redeem.id}` };
      },
    });
  }

  /** RELEASE (+n): the points go back to the lots they came from. */
  async release(holdId: string, idempotencyKey: string, reason: string, actor: string): Promise<HoldRow> {
    const key = assertIdempotencyKey(idempotencyKey);
    const id = assertId(holdId, 'holdId');
    const why = assertText(reason, 'reason');
    return runIdempotent(this.deps.transactor, {
      key,
      operation: 'release',
      params: { holdId: id, reason: why },
      load: loadHold,
      work: async (uow) => {
        const { posting, hold } = await this.openHold(uow, id, actor);
        if (hold.status !== HoldStatus.HELD) throw new ConflictError(`Hold ${id} is already ${hold.status}`);
        await this.releaseLocked(uow, posting, hold, why, HoldStatus.RELEASED);
        await posting.flush();
        return { result: hold, ref: `hold:${hold.id}` };
      },
    });
  }

  private async releaseLocked(
    uow: UnitOfWork,
    posting: MemberPosting,
    hold: HoldRow,
    reason: string,
    status: HoldStatus,
  ) {
    const entry = posting.post({
      kind: hold.kind,
      type: EntryType.RELEASE,
      points: hold.points,
      description: reason,
      merchantId: hold.merchantId,
      holdId: hold.id,
    });
    const moves = await uow.manager.findBy(LotMoveRow, { entryId: hold.holdEntryId });
    await posting.moveLots(
      entry,
      moves.map((m) => ({ lotId: m.lotId, points: -m.points, merchantId: m.merchantId })),
      1,
    );
    await this.setHoldStatus(uow, hold, HoldStatus.HELD, {
      status,
      resolvedEntryId: entry.id,
      resolvedAt: posting.now,
    });
  }

  /** Times out one hold (the sweeper): RELEASE with status EXPIRED; nothing if already resolved. */
  async timeoutHold(holdId: string, now = this.deps.clock()): Promise<boolean> {
    return this.deps.transactor.run(async (uow) => {
      const { posting, hold } = await this.openHold(uow, holdId, 'system:hold-timeout', now);
      if (hold.status !== HoldStatus.HELD || hold.expiresAt.getTime() > posting.now.getTime()) {
        await posting.flush();
        return false;
      }
      await this.releaseLocked(
        uow,
        posting,
        hold,
        'Reservation timed out: points returned',
        HoldStatus.EXPIRED,
      );
      await posting.flush();
      return true;
    });
  }

  /**
   * Gives captured points back: RESTORE (+n), new lots with the original lots' expiry dates, or a
   * fresh validity for those whose lot has expired meanwhile ({@link restoredExpiry}).
   */
  async restoreCapture(
    holdId: string,
    idempotencyKey: string,
    reason: string,
    actor: string,
  ): Promise<EntryRow> {
    const key = assertIdempotencyKey(idempotencyKey);
    const id = assertId(holdId, 'holdId');
    const why = assertText(reason, 'reason');
    return runIdempotent(this.deps.transactor, {
      key,
      operation: 'restore',
      params: { holdId: id, reason: why },
      load: loadEntry,
      work: async (uow) => {
        const { posting, hold } = await this.openHold(uow, id, actor);
        if (hold.status !== HoldStatus.CAPTURED)
          throw new ConflictError(`Hold ${id} is ${hold.status}, not CAPTURED`);
        const entry = posting.post({
          kind: hold.kind,
          type: EntryType.RESTORE,
          points: hold.points,
          description: why,
          merchantId: hold.merchantId,
          holdId: hold.id,
        });
        const moves = await uow.manager.findBy(LotMoveRow, { entryId: hold.holdEntryId });
        const originals = new Map((await posting.lotsByIds(moves.map((m) => m.lotId))).map((l) => [l.id, l]));
        for (const move of moves) {
          const original = originals.get(move.lotId);
          await posting.createLot(entry, {
            id: randomUUID(),
            points: -move.points,
            expiresAt: restoredExpiry(original?.expiresAt ?? null, this.pointsValidity, posting.now),
            merchantId: original?.merchantId ?? null,
            campaignId: original?.campaignId ?? null,
            sourceType: original?.sourceType ?? null,
            sourceId: original?.sourceId ?? null,
          });
        }
        await this.setHoldStatus(uow, hold, HoldStatus.CAPTURED, {
          status: HoldStatus.RESTORED,
          restoredEntryId: entry.id,
        });
        await posting.flush();
        return { result: entry, ref: `entry:${entry.id}` };
      },
    });
  }
}

async function loadHold(m: EntityManager, ref: string): Promise<HoldRow> {
  return m.findOneByOrFail(HoldRow, { id: ref.slice('hold:'.length) });
}
