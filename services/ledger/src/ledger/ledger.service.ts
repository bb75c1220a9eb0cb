import { randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import {
  addDuration,
  BadInputError,
  ConflictError,
  forUpdate,
  NotFoundError,
  requireDuration,
  type Transactor,
  type UnitOfWork,
} from '@loyalty/platform';
import type { MemberDirectory } from '../accounts/member-directory';
import { EntryRow, EntryType } from '../entries/entry.entity';
import { HoldRow, HoldStatus } from '../holds/hold.entity';
import { runIdempotent } from '../idempotency/idempotency';
import { allocate, allocateUpTo } from '../lots/lot.rules';
import { planReversal, proportionalReversal } from '../reversals/reversal.rules';
import { LotChangeRow, LotMoveRow, LotRow } from '../lots/lot.entity';
import { MemberPosting } from './posting';
import { ReversalRow } from '../reversals/reversal.entity';
import {
  assertId,
  assertIdempotencyKey,
  assertKind,
  assertOptionalId,
  assertOptionalText,
  assertPoints,
  assertSignedPoints,
  assertText,
  resolveValidity,
} from './ledger.rules';

export interface CreditCommand {
  idempotencyKey: string;
  memberId: string;
  kind: string;
  points: number;
  reason: string;
  type?: EntryType.EARN | EntryType.COMPENSATE | null;
  /** ISO-8601 duration or NEVER; default POINTS_VALIDITY. */
  validity?: string | null;
  merchantId?: string | null;
  campaignId?: string | null;
  sourceType?: string | null;
  sourceId?: string | null;
}

export interface HoldCommand {
  idempotencyKey: string;
  memberId: string;
  kind: string;
  points: number;
  reason: string;
  ttlSeconds?: number | null;
  merchantId?: string | null;
}

export interface ReverseCommand {
  idempotencyKey: string;
  memberId: string;
  kind: string;
  sourceType: string;
  sourceId: string;
  reason: string;
  /** Points to take back; or give refundedAmount and purchaseAmount for a proportional reversal. */
  points?: number | null;
  refundedAmount?: number | null;
  purchaseAmount?: number | null;
  merchantId?: string | null;
}

export interface ExtendCommand {
  idempotencyKey: string;
  memberId: string;
  /** ISO-8601 duration added to each lot's expiry. */
  extendBy: string;
  reason: string;
  kind?: string | null;
  sourceType?: string | null;
  sourceId?: string | null;
  /** Instead of a source: every unexpired lot expiring before this moment. */
  expiringBefore?: Date | null;
}

export interface AdjustCommand {
  idempotencyKey: string;
  memberId: string;
  kind: string;
  points: number;
  reason: string;
  validity?: string | null;
}

export interface Reversal {
  entry: EntryRow | null;
  requested: number;
  reversed: number;
  shortfall: number;
}

export interface LedgerSettings {
  pointsValidity: string;
  clock?: () => Date;
}

const DEFAULT_HOLD_TTL_SECONDS = 900;
const MAX_HOLD_TTL_SECONDS = 30 * 86_400;

/** The ledger's write rules. Every write: validate, check the member, one idempotent transaction. */
export class LedgerService {
  readonly clock: () => Date;

  constructor(
    private readonly transactor: Transactor,
    private readonly directory: MemberDirectory,
    private readonly settings: LedgerSettings,
  ) {
    this.clock = settings.clock ?? (() => new Date());
  }

  private open(uow: UnitOfWork, memberId: string, actor: string, now = this.clock()): Promise<MemberPosting> {
    return MemberPosting.open(uow, memberId, now, actor);
  }

  private expiryFor(validity: string, now: Date): Date | null {
    return validity === 'NEVER' ? null : addDuration(now, requireDuration(validity));
  }

  /** EARN (default) or COMPENSATE: a new lot. */
  async credit(cmd: CreditCommand, actor: string): Promise<EntryRow> {
    const key = assertIdempotencyKey(cmd.idempotencyKey);
    const memberId = assertId(cmd.memberId, 'memberId');
    const kind = assertKind(cmd.kind);
    const points = assertPoints(cmd.points);
    const reason = assertText(cmd.reason, 'reason');
    const type = cmd.type ?? EntryType.EARN;
    if (type !== EntryType.EARN && type !== EntryType.COMPENSATE)
      throw new BadInputError('type must be EARN or COMPENSATE', 'type');
    const validity = resolveValidity(cmd.validity, this.settings.pointsValidity);
    const merchantId = assertOptionalId(cmd.merchantId, 'merchantId');
    const campaignId = assertOptionalId(cmd.campaignId, 'campaignId');
    const sourceType = assertOptionalText(cmd.sourceType, 'sourceType', 40);
    const sourceId = assertOptionalText(cmd.sourceId, 'sourceId', 100);
    await this.directory.ensure(memberId);
    const params = {
      memberId,
      kind,
      points,
      reason,
      type,
      validity: cmd.validity ?? null,
      merchantId,
      campaignId,
      sourceType,
      sourceId,
    };
    return runIdempotent(this.transactor, {
      key,
      operation: 'credit',
      params,
      load: loadEntry,
      work: async (uow) => {
        const posting = await this.open(uow, memberId, actor);
        const entry = posting.post({
          kind,
          type,
          points,
          description: reason,
          merchantId,
          campaignId,
          sourceType,
          sourceId,
          lotId: randomUUID(),
          expiresAt: this.expiryFor(validity, posting.now),
        });
        await posting.createLot(entry);
        await posting.flush();
        return { result: entry, ref: `entry:${entry.id}` };
      },
    });
  }

  /** Reserves points from the soonest-expiring lots: a HOLD entry (−points). */
  async hold(cmd: HoldCommand, actor: string): Promise<HoldRow> {
    const key = assertIdempotencyKey(cmd.idempotencyKey);
    const memberId = assertId(cmd.memberId, 'memberId');
    const kind = assertKind(cmd.kind);
    const points = assertPoints(cmd.points);
    const reason = assertText(cmd.reason, 'reason');
    const merchantId = assertOptionalId(cmd.merchantId, 'merchantId');
    const ttl = cmd.ttlSeconds ?? DEFAULT_HOLD_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_HOLD_TTL_SECONDS) {
      throw new BadInputError(`ttlSeconds must be between 1 and ${MAX_HOLD_TTL_SECONDS}`, 'ttlSeconds');
    }
    await this.directory.ensure(memberId);
    return runIdempotent(this.transactor, {
      key,
      operation: 'hold',
      params: { memberId, kind, points, reason, merchantId, ttl },
      load: loadHold,
      work: async (uow) => {
        const posting = await this.open(uow, memberId, actor);
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
        await posting.flush();
        return { result: hold, ref: `hold:${hold.id}` };
      },
    });
  }

  /** Locks the member of a hold, then the hold itself. */
  private async openHold(
    uow: UnitOfWork,
    holdId: string,
    actor: string,
    now = this.clock(),
  ): Promise<{ posting: MemberPosting; hold: HoldRow }> {
    const found = await uow.manager.findOneBy(HoldRow, { id: holdId });
    if (!found) throw new NotFoundError('Hold', holdId);
    const posting = await this.open(uow, found.memberId, actor, now);
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
    return runIdempotent(this.transactor, {
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
    return runIdempotent(this.transactor, {
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
      moves.map((m) => ({ lotId: m.lotId, points: -m.points })),
      1,
    );
    await this.setHoldStatus(uow, hold, HoldStatus.HELD, {
      status,
      resolvedEntryId: entry.id,
      resolvedAt: posting.now,
    });
  }

  /** Times out one hold (the sweeper): RELEASE with status EXPIRED; nothing if already resolved. */
  async timeoutHold(holdId: string, now = this.clock()): Promise<boolean> {
    return this.transactor.run(async (uow) => {
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

  /** Gives captured points back: RESTORE (+n), new lots with the original lots' expiry dates. */
  async restoreCapture(
    holdId: string,
    idempotencyKey: string,
    reason: string,
    actor: string,
  ): Promise<EntryRow> {
    const key = assertIdempotencyKey(idempotencyKey);
    const id = assertId(holdId, 'holdId');
    const why = assertText(reason, 'reason');
    return runIdempotent(this.transactor, {
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
            expiresAt: original?.expiresAt ?? null,
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

  /** Takes back what a source earned (a refund); never below zero, the shortfall is recorded. */
  async reverse(cmd: ReverseCommand, actor: string): Promise<Reversal> {
    const key = assertIdempotencyKey(cmd.idempotencyKey);
    const memberId = assertId(cmd.memberId, 'memberId');
    const kind = assertKind(cmd.kind);
    const sourceType = assertText(cmd.sourceType, 'sourceType', 40);
    const sourceId = assertText(cmd.sourceId, 'sourceId', 100);
    const reason = assertText(cmd.reason, 'reason');
    const merchantId = assertOptionalId(cmd.merchantId, 'merchantId');
    const explicit = cmd.points ?? null;
    if (explicit !== null) assertPoints(explicit);
    else {
      assertPoints(cmd.purchaseAmount, 'purchaseAmount');
      assertPoints(cmd.refundedAmount, 'refundedAmount');
    }
    await this.directory.ensure(memberId);
    return runIdempotent(this.transactor, {
      key,
      operation: 'reverse',
      params: {
        memberId,
        kind,
        sourceType,
        sourceId,
        reason,
        merchantId,
        points: explicit,
        refundedAmount: cmd.refundedAmount ?? null,
        purchaseAmount: cmd.purchaseAmount ?? null,
      },
      load: loadReversal,
      work: async (uow) => {
        const posting = await this.open(uow, memberId, actor);
        const m = uow.manager;
        const earnedRow = await m
          .createQueryBuilder(EntryRow, 'e')
          .select('COALESCE(SUM(e.points), 0)', 'total')
          .where('e.memberId = :memberId AND e.kind = :kind AND e.type = :type', {
            memberId,
            kind,
            type: EntryType.EARN,
          })
          .andWhere('e.sourceType = :sourceType AND e.sourceId = :sourceId', { sourceType, sourceId })
          .getRawOne<{ total: string | number }>();
        const askedRow = await m
          .createQueryBuilder(ReversalRow, 'r')
          .select('COALESCE(SUM(r.requested), 0)', 'total')
          .where('r.memberId = :memberId AND r.kind = :kind', { memberId, kind })
          .andWhere('r.sourceType = :sourceType AND r.sourceId = :sourceId', { sourceType, sourceId })
          .getRawOne<{ total: string | number }>();
        const earned = Number(earnedRow?.total ?? 0);
        const asked = Number(askedRow?.total ?? 0);
        const requested =
          explicit !== null
            ? Math.max(0, Math.min(explicit, earned - asked))
            : proportionalReversal(earned, cmd.refundedAmount!, cmd.purchaseAmount!, asked);
        const lots = await posting.openLots(kind);
        const { takes, taken } = allocateUpTo(
          lots,
          requested,
          (lot) => (lot as LotRow).sourceType === sourceType && (lot as LotRow).sourceId === sourceId,
        );
        const { reversed, shortfall } = planReversal(requested, taken);
        let entry: EntryRow | null = null;
        if (reversed > 0) {
          entry = posting.post({
            kind,
            type: EntryType.REVERSE,
            points: -reversed,
            description: shortfall > 0 ? `${reason} (${shortfall} points already spent)` : reason,
            merchantId,
            sourceType,
            sourceId,
          });
          await posting.moveLots(entry, takes, -1);
        }
        const row = m.create(ReversalRow, {
          id: randomUUID(),
          memberId,
          kind,
          sourceType,
          sourceId,
          requested,
          reversed,
          shortfall,
          entryId: entry?.id ?? null,
          createdAt: posting.now,
        });
        await m.insert(ReversalRow, row);
        await posting.flush();
        return { result: { entry, requested, reversed, shortfall }, ref: `reversal:${row.id}` };
      },
    });
  }

  /** Extends unexpired lots' expiry by a duration; each change is recorded in the lot trail. */
  async extendValidity(cmd: ExtendCommand, actor: string): Promise<number> {
    const key = assertIdempotencyKey(cmd.idempotencyKey);
    const memberId = assertId(cmd.memberId, 'memberId');
    const reason = assertText(cmd.reason, 'reason');
    const by = resolveValidity(cmd.extendBy, 'NEVER');
    const kind = cmd.kind ? assertKind(cmd.kind) : null;
    const sourceType = assertOptionalText(cmd.sourceType, 'sourceType', 40);
    const sourceId = assertOptionalText(cmd.sourceId, 'sourceId', 100);
    const before = cmd.expiringBefore ?? null;
    if ((sourceType === null || sourceId === null) && before === null) {
      throw new BadInputError('Give sourceType and sourceId, or expiringBefore', 'sourceType');
    }
    await this.directory.ensure(memberId);
    return runIdempotent(this.transactor, {
      key,
      operation: 'extend',
      params: { memberId, reason, by, kind, sourceType, sourceId, before },
      load: async (_m, ref) => Number(ref.slice('count:'.length)),
      work: async (uow) => {
        const posting = await this.open(uow, memberId, actor);
        const qb = uow.manager
          .createQueryBuilder(LotRow, 'l')
          .where('l.memberId = :memberId AND l.remaining > 0 AND l.expiresAt > :now', {
            memberId,
            now: posting.now,
          });
        if (kind) qb.andWhere('l.kind = :kind', { kind });
        if (sourceType !== null && sourceId !== null) {
          qb.andWhere('l.sourceType = :sourceType AND l.sourceId = :sourceId', { sourceType, sourceId });
        }
        if (before) qb.andWhere('l.expiresAt < :before', { before });
        const lots = await forUpdate(qb).getMany();
        const duration = by === 'NEVER' ? null : requireDuration(by);
        for (const lot of lots) {
          const next = duration ? addDuration(lot.expiresAt!, duration) : null;
          await uow.manager.update(LotRow, { id: lot.id }, { expiresAt: next });
          await uow.manager.insert(LotChangeRow, {
            lotId: lot.id,
            oldExpiresAt: lot.expiresAt,
            newExpiresAt: next,
            reason,
            actor,
            changedAt: posting.now,
          });
        }
        await posting.flush();
        return { result: lots.length, ref: `count:${lots.length}` };
      },
    });
  }

  /** Operator adjustment (signed): a credit is a new lot; a debit takes lots FIFO, never overdrawn. */
  async adjust(cmd: AdjustCommand, actor: string): Promise<EntryRow> {
    const key = `adjust:${assertIdempotencyKey(cmd.idempotencyKey)}`;
    const memberId = assertId(cmd.memberId, 'memberId');
    const kind = assertKind(cmd.kind);
    const points = assertSignedPoints(cmd.points);
    const reason = assertText(cmd.reason, 'reason');
    const validity = resolveValidity(cmd.validity, this.settings.pointsValidity);
    await this.directory.ensure(memberId);
    return runIdempotent(this.transactor, {
      key,
      operation: 'adjust',
      params: { memberId, kind, points, reason, validity: cmd.validity ?? null },
      load: loadEntry,
      work: async (uow) => {
        const posting = await this.open(uow, memberId, actor);
        if (points > 0) {
          const entry = posting.post({
            kind,
            type: EntryType.ADJUST,
            points,
            description: reason,
            lotId: randomUUID(),
            expiresAt: this.expiryFor(validity, posting.now),
          });
          await posting.createLot(entry);
          await posting.flush();
          return { result: entry, ref: `entry:${entry.id}` };
        }
        const lots = await posting.openLots(kind);
        const entry = posting.post({ kind, type: EntryType.ADJUST, points, description: reason });
        const takes = allocate(lots, -points);
        if (!takes) throw new Error(`lots of member ${memberId} do not cover the ${kind} balance`);
        await posting.moveLots(entry, takes, -1);
        await posting.flush();
        return { result: entry, ref: `entry:${entry.id}` };
      },
    });
  }
}

async function loadEntry(m: EntityManager, ref: string): Promise<EntryRow> {
  return m.findOneByOrFail(EntryRow, { id: ref.slice('entry:'.length) });
}

async function loadHold(m: EntityManager, ref: string): Promise<HoldRow> {
  return m.findOneByOrFail(HoldRow, { id: ref.slice('hold:'.length) });
}

async function loadReversal(m: EntityManager, ref: string): Promise<Reversal> {
  const row = await m.findOneByOrFail(ReversalRow, { id: ref.slice('reversal:'.length) });
  const entry = row.entryId ? await m.findOneBy(EntryRow, { id: In([row.entryId]) }) : null;
  return { entry, requested: row.requested, reversed: row.reversed, shortfall: row.shortfall };
}
