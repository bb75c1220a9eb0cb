import { In, type EntityManager } from 'typeorm';
import {
  bulkInsert,
  BadInputError,
  forUpdate,
  InsufficientPointsError,
  orderedUuid,
  PointKind,
  Topics,
  type NewEvent,
  type Sql,
  type UnitOfWork,
} from '@loyalty/platform';
import { EntryRow, EntryType } from '../entries/entry.entity';
import { dueLots } from '../expiry/expiry.rules';
import type { Take } from '../lots/lot.rules';
import { LotMoveRow, LotRow } from '../lots/lot.entity';
import { LedgerBatch } from './ledger-batch';
import { MAX_POINTS } from './ledger.rules';

export interface NewEntry {
  /** Drawn in advance when the write's idempotent result names it; otherwise a new UUID. */
  id?: string;
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

const KINDS = Object.values(PointKind);
/**
 * The member's stream row and the accounts of `kinds` kinds (a locking read on MySQL). Only the
 * kinds a write posts: each account read is a row the server finds, locks and sends.
 */
const openSql = (kinds: number, mysql: boolean) =>
  `SELECT s.\`lastSequence\`, a.\`kind\`, a.\`balance\` FROM \`ledger_members\` s LEFT JOIN \`ledger_accounts\` a ON a.\`memberId\` = s.\`memberId\` AND a.\`kind\` IN (${Array(kinds).fill('?').join(', ')}) WHERE s.\`memberId\` = ?${mysql ? ' FOR UPDATE' : ''}`;
/** By number of kinds read, then MySQL (locking) or SQLite. */
const OPEN = KINDS.map((_, i) => [openSql(i + 1, false), openSql(i + 1, true)] as const);
const UPDATE_ACCOUNT_AND_SEQUENCE =
  'UPDATE `ledger_members` s JOIN `ledger_accounts` a ON a.`memberId` = s.`memberId` AND a.`kind` = ? ' +
  'SET s.`lastSequence` = ?, a.`balance` = a.`balance` + ?, a.`updatedAt` = ? ' +
  'WHERE s.`memberId` = ? AND s.`lastSequence` = ? AND a.`balance` + ? >= 0';
const UPDATE_ACCOUNT =
  'UPDATE `ledger_accounts` SET `balance` = `balance` + ?, `updatedAt` = ? WHERE `memberId` = ? AND `kind` = ? AND `balance` + ? >= 0';
const INSERT_ACCOUNT =
  'INSERT INTO `ledger_accounts` (`memberId`, `kind`, `balance`, `updatedAt`) VALUES (?, ?, ?, ?)';
const UPDATE_SEQUENCE =
  'UPDATE `ledger_members` SET `lastSequence` = ? WHERE `memberId` = ? AND `lastSequence` = ?';
const TAKE_FROM_LOT =
  'UPDATE `ledger_lots` SET `remaining` = `remaining` - ? WHERE `id` = ? AND `remaining` >= ?';
const GIVE_TO_LOT =
  'UPDATE `ledger_lots` SET `remaining` = `remaining` + ? WHERE `id` = ? AND `remaining` + ? <= `points`';

/**
 * The unit of work for one member's entries. Opening it locks the member's stream row (every
 * write for a member locks it first, so sequence and balances are computed without races on
 * MySQL; SQLite is serialized anyway) and account rows; then the caller reads lots (writing off
 * expired ones), posts entries and moves lot points. `flush` writes entries, balances and events.
 */
export class MemberPosting {
  private readonly entries: EntryRow[] = [];
  private readonly deltas = new Map<string, number>();

  private readonly lots: LotRow[] = [];

  private constructor(
    private readonly uow: UnitOfWork,
    readonly memberId: string,
    readonly now: Date,
    private readonly actor: string,
    private readonly lastSequence: number,
    /** Balance per kind of the member's existing account rows (all locked). */
    private readonly accounts: Map<string, number>,
    /** Set when the posting's rows go out with its group-commit batch. */
    private readonly batch: LedgerBatch | null,
    /** The only kinds it may post, when it read only their accounts (null: every kind). */
    private readonly kinds: readonly string[] | null,
  ) {}

  get manager(): EntityManager {
    return this.uow.manager;
  }

  private get sql(): Sql {
    return this.eager().sql;
  }

  /** The unit of work, for postings that write as they go (not a batch's deferred one). */
  private eager(): UnitOfWork {
    if (this.batch) throw new Error('a deferred posting only posts entries and creates lots');
    return this.uow;
  }

  /**
   * Locks the member's stream row and account rows in one statement (a join; point lookups on
   * both primary keys, so record locks only: no gap locks that would make other members' writes
   * wait on MySQL). Every write for a member takes this lock first.
   *
   * `deferred` (credits in a group-commit batch, see {@link LedgerBatch}): the batch locks all
   * its members at once, and the posting's rows are written with the batch.
   */
  static async open(
    uow: UnitOfWork,
    memberId: string,
    now: Date,
    actor: string,
    options: { deferred?: boolean; kinds?: readonly string[] } = {},
  ): Promise<MemberPosting> {
    const batch = options.deferred ? LedgerBatch.of(uow) : null;
    let state = batch ? await batch.state(memberId) : undefined;
    // A batch keeps the member's state for its later works, whatever kinds they post: all kinds.
    const kinds = batch || !options.kinds?.length ? KINDS : options.kinds;
    if (!state) {
      const rows = await uow.sql.rows<{ lastSequence: number; kind: string | null; balance: number | null }>(
        OPEN[kinds.length - 1][uow.sql.kind === 'mysql' ? 1 : 0],
        [...kinds, memberId],
      );
      if (rows.length === 0) throw new BadInputError(`Unknown member ${memberId}`, 'memberId');
      state = { lastSequence: Number(rows[0].lastSequence), balances: new Map() };
      for (const r of rows) if (r.kind !== null) state.balances.set(r.kind, Number(r.balance));
      if (batch) batch.adopt(memberId, state);
      // This posting writes directly: a batch's copy of the member would be stale.
      else LedgerBatch.peek(uow)?.forget(memberId);
    }
    return new MemberPosting(
      uow,
      memberId,
      now,
      actor,
      state.lastSequence,
      new Map(state.balances),
      batch,
      kinds === KINDS ? null : kinds,
    );
  }

  /** Current balance of a kind, including entries posted in this unit of work. */
  balance(kind: string): number {
    return (this.accounts.get(kind) ?? 0) + (this.deltas.get(kind) ?? 0);
  }

  /** Appends an entry: next sequence, balance after; refuses overdrafts and Int overflow. */
  post(e: NewEntry): EntryRow {
    // Its account was not read: its balance is unknown here.
    if (this.kinds && !this.kinds.includes(e.kind))
      throw new Error(`a posting opened for ${this.kinds.join(', ')} cannot post ${e.kind}`);
    const after = this.balance(e.kind) + e.points;
    if (after < 0)
      throw new InsufficientPointsError(`Not enough ${e.kind} points: balance ${this.balance(e.kind)}`);
    if (after > MAX_POINTS)
      throw new BadInputError(`The ${e.kind} balance would exceed ${MAX_POINTS}`, 'points');
    const row: EntryRow = {
      id: e.id ?? orderedUuid(),
      memberId: this.memberId,
      sequence: this.lastSequence + this.entries.length + 1,
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
    };
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
      this.eager()
        .manager.createQueryBuilder(LotRow, 'l')
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
    return forUpdate(
      this.eager()
        .manager.createQueryBuilder(LotRow, 'l')
        .where({ id: In(ids) }),
    ).getMany();
  }

  /** Moves points out of (negative) or back into (positive) lots, with a move row each. */
  async moveLots(entry: EntryRow, takes: Take[], sign: 1 | -1): Promise<void> {
    for (const t of takes) {
      await this.sql.later(sign < 0 ? TAKE_FROM_LOT : GIVE_TO_LOT, [t.points, t.lotId, t.points], {
        expect: 1,
        refused: () => new Error(`lot ${t.lotId} changed underneath a locked posting`),
      });
    }
    if (takes.length === 0) return;
    // Each move carries what the liability report groups by (issuing merchant, kind, type, time).
    await bulkInsert(
      this.sql,
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

  /** A new lot holding a credit entry's points (the entry's `lotId` is the lot's id). */
  async createLot(entry: EntryRow, overrides: Partial<LotRow> = {}): Promise<LotRow> {
    const lot: LotRow = {
      id: entry.lotId ?? orderedUuid(),
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
    };
    if (overrides.points !== undefined && overrides.remaining === undefined) lot.remaining = overrides.points;
    if (this.batch) this.lots.push(lot);
    else await bulkInsert(this.sql, this.manager, LotRow, [lot]);
    return lot;
  }

  /**
   * Writes the entries, the balances and the sequence, and one event per entry. On MySQL a
   * posting of one kind updates its account and the member's sequence in one multi-table UPDATE.
   */
  async flush(): Promise<EntryRow[]> {
    if (this.entries.length === 0) return [];
    if (this.batch) {
      const balances = new Map(this.accounts);
      for (const [kind, delta] of this.deltas) balances.set(kind, (balances.get(kind) ?? 0) + delta);
      const state = { lastSequence: this.lastSequence + this.entries.length, balances };
      this.batch.stage(this.memberId, this.entries, this.lots, state, this.deltas.keys(), this.now);
      await this.uow.publish(...this.entries.map(balanceChangedEvent));
      return this.entries;
    }
    const { sql } = this;
    await bulkInsert(sql, this.manager, EntryRow, this.entries);
    const last = this.lastSequence + this.entries.length;
    const changed = [...this.deltas].filter(([kind, delta]) => delta !== 0 || !this.accounts.has(kind));
    if (sql.kind === 'mysql' && changed.length === 1 && this.accounts.has(changed[0][0])) {
      const [kind, delta] = changed[0];
      // Matched rows: the member's and the account's (the balance guard refuses an overdraft).
      // Checked in the database, before the COMMIT it goes with (Sql.later).
      await sql.later(
        UPDATE_ACCOUNT_AND_SEQUENCE,
        [kind, last, delta, this.now, this.memberId, this.lastSequence, delta],
        { expect: 2, refused: () => new InsufficientPointsError() },
      );
    } else {
      for (const [kind, delta] of changed) {
        if (!this.accounts.has(kind)) {
          await sql.later(INSERT_ACCOUNT, [this.memberId, kind, delta, this.now]);
          continue;
        }
        await sql.later(UPDATE_ACCOUNT, [delta, this.now, this.memberId, kind, delta], {
          expect: 1,
          refused: () => new InsufficientPointsError(),
        });
      }
      await sql.later(UPDATE_SEQUENCE, [last, this.memberId, this.lastSequence], {
        expect: 1,
        refused: () => new Error(`sequence of member ${this.memberId} moved underneath a locked posting`),
      });
    }
    await this.uow.publish(...this.entries.map(balanceChangedEvent));
    return this.entries;
  }
}
