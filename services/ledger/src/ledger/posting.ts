import { randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import {
  BadInputError,
  forUpdate,
  InsufficientPointsError,
  PointKind,
  Topics,
  type NewEvent,
  type UnitOfWork,
} from '@loyalty/platform';
import { AccountRow, MemberStreamRow } from '../accounts/account.entity';
import { EntryRow, EntryType } from '../entries/entry.entity';
import { dueLots } from '../expiry/expiry.rules';
import type { Take } from '../lots/lot.rules';
import { LotMoveRow, LotRow } from '../lots/lot.entity';
import { bulkInsert } from './bulk-write';
import { MAX_POINTS } from './ledger.rules';

export interface NewEntry {
  kind: string;
  type: EntryType;
  points: number;
  description: string;
  merchantId?: string | null;
  campaignId?: string | null;
  sourceType?: string | null;
  sourceId?: string | null;
  lotId?: string | null;
  holdId?: string | null;
  expiresAt?: Date | null;
}

/** `balance.changed` payload (docs/internal-api.md). */
export function balanceChangedEvent(e: EntryRow): NewEvent {
  return {
    topic: Topics.balanceChanged,
    key: e.memberId,
    payload: {
      memberId: e.memberId,
      kind: e.kind,
      delta: e.points,
      balance: e.balanceAfter,
      entryId: e.id,
      entryType: e.type,
      sequence: e.sequence,
      createdAt: e.createdAt.toISOString(),
    },
  };
}

export const EXPIRED_DESCRIPTION = 'Points expired';

/** Where the ledger's writes and sweeps read the time (tests inject their own). */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** Replays a write whose idempotent result is one entry (stored as `entry:<id>`). */
export async function loadEntry(m: EntityManager, ref: string): Promise<EntryRow> {
  return m.findOneByOrFail(EntryRow, { id: ref.slice('entry:'.length) });
}

/**
 * The unit of work for one member's entries. Opening it locks the member's stream row (every
 * write for a member locks it first, so sequence and balances are computed without races on
 * MySQL; SQLite is serialized anyway) and account rows; then the caller reads lots (writing off
 * expired ones), posts entries and moves lot points. `flush` writes entries, balances and events.
 */
export class MemberPosting {
  private readonly entries: EntryRow[] = [];
  private readonly deltas = new Map<string, number>();

  private constructor(
    private readonly uow: UnitOfWork,
    readonly memberId: string,
    readonly now: Date,
    private readonly actor: string,
    private readonly stream: MemberStreamRow,
    private readonly accounts: Map<string, AccountRow>,
  ) {}

  get manager(): EntityManager {
    return this.uow.manager;
  }

  static async open(uow: UnitOfWork, memberId: string, now: Date, actor: string): Promise<MemberPosting> {
    const { manager } = uow;
    const stream = await forUpdate(
      manager.createQueryBuilder(MemberStreamRow, 's').where('s.memberId = :memberId', { memberId }),
    ).getOne();
    if (!stream) throw new BadInputError(`Unknown member ${memberId}`, 'memberId');
    // Point lookups on the primary key (not a range on memberId): record locks only, no gap locks
    // that would make other members' writes wait on MySQL.
    const accounts = await forUpdate(
      manager.createQueryBuilder(AccountRow, 'a').where({ memberId, kind: In(Object.values(PointKind)) }),
    ).getMany();
    return new MemberPosting(uow, memberId, now, actor, stream, new Map(accounts.map((a) => [a.kind, a])));
  }

  /** Current balance of a kind, including entries posted in this unit of work. */
  balance(kind: string): number {
    return (this.accounts.get(kind)?.balance ?? 0) + (this.deltas.get(kind) ?? 0);
  }

  /** Appends an entry: next sequence, balance after; refuses overdrafts and Int overflow. */
  post(e: NewEntry): EntryRow {
    const after = this.balance(e.kind) + e.points;
    if (after < 0)
      throw new InsufficientPointsError(`Not enough ${e.kind} points: balance ${this.balance(e.kind)}`);
    if (after > MAX_POINTS)
      throw new BadInputError(`The ${e.kind} balance would exceed ${MAX_POINTS}`, 'points');
    const row = this.manager.create(EntryRow, {
      id: randomUUID(),
      memberId: this.memberId,
      sequence: this.stream.lastSequence + this.entries.length + 1,
      kind: e.kind,
      type: e.type,
      points: e.points,
      balanceAfter: after,
      description: e.description,
      merchantId: e.merchantId ?? null,
      campaignId: e.campaignId ?? null,
      sourceType: e.sourceType ?? null,
      sourceId: e.sourceId ?? null,
      lotId: e.lotId ?? null,
      holdId: e.holdId ?? null,
      expiresAt: e.expiresAt ?? null,
      actor: this.actor,
      createdAt: this.now,
    });
    this.entries.push(row);
    this.deltas.set(e.kind, (this.deltas.get(e.kind) ?? 0) + e.points);
    return row;
  }

  /**
   * Spendable lots of a kind, locked. Lots of that kind whose expiry has passed are written off
   * first (EXPIRE entries), so a debit never spends expired points even between sweeps.
   */
  async openLots(kind: string): Promise<LotRow[]> {
    const lots = await forUpdate(
      this.manager
        .createQueryBuilder(LotRow, 'l')
        .where('l.memberId = :memberId AND l.kind = :kind AND l.remaining > 0', {
          memberId: this.memberId,
          kind,
        }),
    ).getMany();
    for (const lot of dueLots(lots, this.now)) {
      const entry = this.post({
        kind: lot.kind,
        type: EntryType.EXPIRE,
        points: -lot.remaining,
        description: EXPIRED_DESCRIPTION,
        lotId: lot.id,
        merchantId: lot.merchantId,
        expiresAt: lot.expiresAt,
      });
      await this.moveLots(entry, [{ lotId: lot.id, points: lot.remaining, merchantId: lot.merchantId }], -1);
      lot.remaining = 0;
    }
    return lots.filter((l) => l.remaining > 0);
  }

  async lotsByIds(ids: string[]): Promise<LotRow[]> {
    if (ids.length === 0) return [];
    return forUpdate(this.manager.createQueryBuilder(LotRow, 'l').where({ id: In(ids) })).getMany();
  }

  /** Moves points out of (negative) or back into (positive) lots, with a move row each. */
  async moveLots(entry: EntryRow, takes: Take[], sign: 1 | -1): Promise<void> {
    for (const t of takes) {
      const result =
        sign < 0
          ? await this.manager
              .createQueryBuilder()
              .update(LotRow)
              .set({ remaining: () => `remaining - ${Math.trunc(t.points)}` })
              .where('id = :id AND remaining >= :n', { id: t.lotId, n: t.points })
              .execute()
          : await this.manager
              .createQueryBuilder()
              .update(LotRow)
              .set({ remaining: () => `remaining + ${Math.trunc(t.points)}` })
              .where('id = :id AND remaining + :n <= points', { id: t.lotId, n: t.points })
              .execute();
      if (result.affected !== 1) throw new Error(`lot ${t.lotId} changed underneath a locked posting`);
    }
    if (takes.length) {
      await bulkInsert(
        this.manager,
        LotMoveRow,
        takes.map((t) => ({
          entryId: entry.id,
          lotId: t.lotId,
          points: sign * t.points,
          merchantId: t.merchantId,
          kind: entry.kind,
          entryType: entry.type,
          createdAt: entry.createdAt,
        })),
      );
    }
  }

  /** A new lot holding a credit entry's points (the entry's `lotId` is the lot's id). */
  async createLot(entry: EntryRow, overrides: Partial<LotRow> = {}): Promise<LotRow> {
    const lot = this.manager.create(LotRow, {
      id: entry.lotId ?? randomUUID(),
      memberId: this.memberId,
      kind: entry.kind,
      entryId: entry.id,
      points: entry.points,
      remaining: entry.points,
      earnedAt: this.now,
      expiresAt: entry.expiresAt,
      merchantId: entry.merchantId,
      campaignId: entry.campaignId,
      sourceType: entry.sourceType,
      sourceId: entry.sourceId,
      origin: entry.type,
      ...overrides,
    });
    if (overrides.points !== undefined && overrides.remaining === undefined) lot.remaining = overrides.points;
    await bulkInsert(this.manager, LotRow, [lot]);
    return lot;
  }

  /** Writes the entries, the balances and the sequence, and one event per entry. */
  async flush(): Promise<EntryRow[]> {
    if (this.entries.length === 0) return [];
    const { manager } = this;
    await bulkInsert(manager, EntryRow, this.entries);
    for (const [kind, delta] of this.deltas) {
      const account = this.accounts.get(kind);
      if (!account) {
        await manager.insert(AccountRow, {
          memberId: this.memberId,
          kind,
          balance: delta,
          updatedAt: this.now,
        });
        continue;
      }
      if (delta === 0) continue;
      const result = await manager
        .createQueryBuilder()
        .update(AccountRow)
        .set({ balance: () => `balance + ${Math.trunc(delta)}`, updatedAt: this.now })
        .where('memberId = :memberId AND kind = :kind AND balance + :delta >= 0', {
          memberId: this.memberId,
          kind,
          delta,
        })
        .execute();
      if (result.affected !== 1) throw new InsufficientPointsError();
    }
    const last = this.stream.lastSequence + this.entries.length;
    const seq = await manager
      .createQueryBuilder()
      .update(MemberStreamRow)
      .set({ lastSequence: last })
      .where('memberId = :memberId AND lastSequence = :previous', {
        memberId: this.memberId,
        previous: this.stream.lastSequence,
      })
      .execute();
    if (seq.affected !== 1)
      throw new Error(`sequence of member ${this.memberId} moved underneath a locked posting`);
    await this.uow.publish(...this.entries.map(balanceChangedEvent));
    return this.entries;
  }
}
