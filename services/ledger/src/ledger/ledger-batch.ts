import type { EntityManager } from 'typeorm';
import { bulkInsert, PointKind, type GroupContext, type Sql, type UnitOfWork } from '@loyalty/platform';
import { EntryRow } from '../entries/entry.entity';
import { LotRow } from '../lots/lot.entity';

/** A member's locked stream and balances, as the batch's earlier works left them. */
export interface MemberState {
  lastSequence: number;
  /** Balance per kind of the member's account rows. */
  balances: Map<string, number>;
}

const KINDS = Object.values(PointKind);
const KIND_LIST = KINDS.map(() => '?').join(', ');
const list = (n: number) => Array(n).fill('?').join(', ');
const tuples = (n: number, width: number) =>
  Array(n)
    .fill(`(${list(width)})`)
    .join(', ');

/** The batch's members and accounts, locked in one statement, in key order. */
const lockMembers = (n: number, mysql: boolean) =>
  `SELECT s.\`memberId\`, s.\`lastSequence\`, a.\`kind\`, a.\`balance\` FROM \`ledger_members\` s LEFT JOIN \`ledger_accounts\` a ON a.\`memberId\` = s.\`memberId\` AND a.\`kind\` IN (${KIND_LIST}) WHERE s.\`memberId\` IN (${list(n)}) ORDER BY s.\`memberId\`${mysql ? ' FOR UPDATE' : ''}`;

const upsertAccounts = (n: number, mysql: boolean) =>
  `INSERT INTO \`ledger_accounts\` (\`memberId\`, \`kind\`, \`balance\`, \`updatedAt\`) VALUES ${tuples(n, 4)} ` +
  (mysql
    ? 'ON DUPLICATE KEY UPDATE `balance` = VALUES(`balance`), `updatedAt` = VALUES(`updatedAt`)'
    : 'ON CONFLICT (`memberId`, `kind`) DO UPDATE SET `balance` = excluded.`balance`, `updatedAt` = excluded.`updatedAt`');

const upsertSequences = (n: number, mysql: boolean) =>
  `INSERT INTO \`ledger_members\` (\`memberId\`, \`lastSequence\`, \`createdAt\`) VALUES ${tuples(n, 3)} ` +
  (mysql
    ? 'ON DUPLICATE KEY UPDATE `lastSequence` = VALUES(`lastSequence`)'
    : 'ON CONFLICT (`memberId`) DO UPDATE SET `lastSequence` = excluded.`lastSequence`');

/**
 * MySQL, when every changed balance's account row exists: balances and sequences in one
 * multi-table UPDATE, the new values joined from a derived table (`UNION ALL` of rows: portable
 * to MySQL and MariaDB), instead of two upserts.
 */
const updateBalancesAndSequences = (n: number) =>
  'UPDATE `ledger_members` s JOIN `ledger_accounts` a ON a.`memberId` = s.`memberId` JOIN (' +
  Array.from({ length: n }, (_, i) =>
    i ? 'SELECT ?, ?, ?, ?' : 'SELECT ? AS m, ? AS k, ? AS b, ? AS q',
  ).join(' UNION ALL ') +
  ') v ON v.m = s.`memberId` AND v.k = a.`kind` SET a.`balance` = v.b, a.`updatedAt` = ?, s.`lastSequence` = v.q';

const insertKeys = (n: number) =>
  `INSERT INTO \`ledger_idempotency\` (\`key\`, \`operation\`, \`requestHash\`, \`resultRef\`, \`createdAt\`) VALUES ${tuples(n, 5)}`;

const NAME = 'ledger.batch';

/**
 * The ledger's share of a group-commit batch ({@link GroupContext}): deferrable writes (credits)
 * lock every member of the batch in one statement, post against the members' state kept here,
 * and leave their rows here; the flush writes the whole batch's idempotency keys, lots, entries,
 * balances and sequences in five multi-row statements. The members stay locked until the
 * commit, so the state kept here is the database's.
 */
export class LedgerBatch {
  private readonly members = new Map<string, MemberState>();
  /** `memberId kind` of the account rows that exist (read under the members' locks). */
  private readonly accountRows = new Set<string>();
  private locked = false;
  private keys: unknown[] = [];
  private readonly keyNames = new Set<string>();
  private entries: EntryRow[] = [];
  private lots: LotRow[] = [];
  /** Changed balances' kinds, per member. */
  private readonly touched = new Map<string, Set<string>>();
  private now = new Date();

  private constructor(
    private readonly sql: Sql,
    private readonly manager: EntityManager,
    private readonly group: GroupContext,
  ) {}

  /** The batch of the unit of work (created with its first use), or null outside a batch. */
  static of(uow: UnitOfWork): LedgerBatch | null {
    if (!uow.group) return null;
    let batch = uow.group.shared.get(NAME) as LedgerBatch | undefined;
    if (!batch) {
      const created = new LedgerBatch(uow.sql, uow.manager, uow.group);
      uow.group.shared.set(NAME, created);
      uow.group.onFlush(() => created.flush());
      batch = created;
    }
    return batch;
  }

  /** The batch of the unit of work if one was started. */
  static peek(uow: UnitOfWork): LedgerBatch | null {
    return (uow.group?.shared.get(NAME) as LedgerBatch | undefined) ?? null;
  }

  /** The member's state, locking every member of the batch on first use; undefined if unknown. */
  async state(memberId: string): Promise<MemberState | undefined> {
    if (!this.locked) {
      this.locked = true;
      const keys = this.group.keys;
      const rows = await this.sql.rows<{
        memberId: string;
        lastSequence: number;
        kind: string | null;
        balance: number | null;
      }>(lockMembers(keys.length, this.sql.kind === 'mysql'), [...KINDS, ...keys], { oneOff: true });
      for (const r of rows) {
        let state = this.members.get(r.memberId);
        if (!state) {
          state = { lastSequence: Number(r.lastSequence), balances: new Map() };
          this.members.set(r.memberId, state);
        }
        if (r.kind !== null) {
          state.balances.set(r.kind, Number(r.balance));
          this.accountRows.add(`${r.memberId} ${r.kind}`);
        }
      }
    }
    return this.members.get(memberId);
  }

  /** Records the state of a member locked outside {@link state} (not a key of the batch). */
  adopt(memberId: string, state: MemberState): void {
    this.members.set(memberId, state);
    for (const kind of state.balances.keys()) this.accountRows.add(`${memberId} ${kind}`);
  }

  /** A work that writes directly changes the member underneath: read it afresh next time. */
  forget(memberId: string): void {
    this.members.delete(memberId);
  }

  /** A finished posting's rows and the member's new state (the last step of a work). */
  stage(
    memberId: string,
    entries: EntryRow[],
    lots: LotRow[],
    state: MemberState,
    kinds: Iterable<string>,
    now: Date,
  ): void {
    this.entries.push(...entries);
    this.lots.push(...lots);
    this.members.set(memberId, state);
    const touched = this.touched.get(memberId) ?? new Set<string>();
    for (const kind of kinds) touched.add(kind);
    this.touched.set(memberId, touched);
    this.now = now;
  }

  /** True if an earlier write of this batch took the key (the later one then replays it). */
  hasKey(key: string): boolean {
    return this.keyNames.has(key);
  }

  /** An idempotency key's row, written with the batch. */
  key(key: string, operation: string, requestHash: string, resultRef: string, createdAt: Date): void {
    this.keyNames.add(key);
    this.keys.push(key, operation, requestHash, resultRef, createdAt);
  }

  private async flush(): Promise<void> {
    const { sql, manager } = this;
    const mysql = sql.kind === 'mysql';
    // Every write here goes with the batch's COMMIT on MySQL (Sql.later): nothing reads them.
    if (this.keys.length) await sql.later(insertKeys(this.keys.length / 5), this.keys, { oneOff: true });
    await bulkInsert(sql, manager, LotRow, this.lots);
    await bulkInsert(sql, manager, EntryRow, this.entries);
    if (this.touched.size) {
      const accounts: unknown[] = [];
      const sequences: unknown[] = [];
      const joined: unknown[] = [];
      let allExist = mysql;
      for (const [memberId, kinds] of this.touched) {
        const state = this.members.get(memberId)!;
        // The sequence goes with an account row's join: a member needs one changed kind.
        if (kinds.size === 0) allExist = false;
        for (const kind of kinds) {
          accounts.push(memberId, kind, state.balances.get(kind), this.now);
          joined.push(memberId, kind, state.balances.get(kind), state.lastSequence);
          if (!this.accountRows.has(`${memberId} ${kind}`)) allExist = false;
        }
        sequences.push(memberId, state.lastSequence, this.now);
      }
      if (allExist && accounts.length) {
        await sql.later(updateBalancesAndSequences(joined.length / 4), [...joined, this.now], {
          oneOff: true,
        });
      } else {
        await this.upsert(accounts, sequences);
      }
    }
    this.keys = [];
    this.entries = [];
    this.lots = [];
    this.touched.clear();
  }

  private async upsert(accounts: unknown[], sequences: unknown[]): Promise<void> {
    const { sql } = this;
    const mysql = sql.kind === 'mysql';
    if (accounts.length)
      await sql.later(upsertAccounts(accounts.length / 4, mysql), accounts, { oneOff: true });
    await sql.later(upsertSequences(sequences.length / 3, mysql), sequences, { oneOff: true });
  }
}
