/**
 * The ledger bench's raw baselines, on the same database as the ledger: the minimal earn
 * transaction in raw mysql2 or better-sqlite3, and the expiry written off by hand-written
 * set-based SQL on copies of the ledger's tables (see ledger.bench.ts for the method).
 */
import { randomUUID } from 'node:crypto';
import { createPool, type Pool } from 'mysql2/promise';
import { join } from 'node:path';
import { sqlDate, type PlatformConfig } from '@loyalty/platform';

/** The part of better-sqlite3 the baseline uses (the package ships no types). */
interface SqliteStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}
export interface SqliteDatabase {
  pragma(sql: string): unknown;
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): void;
}
const BetterSqlite3 = require('better-sqlite3') as new (file: string) => SqliteDatabase;

export interface Baseline {
  seedAccounts(memberIds: string[]): Promise<void>;
  earn(memberId: string): Promise<void>;
  /** Copies the ledger's tables (same columns, same indexes, same rows) for the raw expiry. */
  copyLedger(): Promise<void>;
  /** Writes off every due lot set-based; resolves to the number of lots. */
  expire(now: Date): Promise<number>;
  close(): Promise<void>;
}

/** Before and after bulk loads on MariaDB: an insert into an empty table then builds its indexes by sorting (MDEV-24621). */
export const BULK_LOAD = {
  start: 'SET SESSION unique_checks = 0, foreign_key_checks = 0',
  end: 'SET SESSION unique_checks = 1, foreign_key_checks = 1',
};

/** A v4-shaped random UUID per row on SQLite (as the ledger's sweep makes them). */
export const SQLITE_UUID =
  "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";

const RAW_TABLES = [
  'CREATE TABLE raw_accounts (memberId varchar(36) PRIMARY KEY, balance integer NOT NULL)',
  'CREATE TABLE raw_entries (id varchar(36) PRIMARY KEY, memberId varchar(36) NOT NULL, points integer NOT NULL, createdAt datetime(3) NOT NULL)',
  'CREATE TABLE raw_lots (id varchar(36) PRIMARY KEY, memberId varchar(36) NOT NULL, points integer NOT NULL, remaining integer NOT NULL, expiresAt datetime(3) NULL)',
];

/** The ledger's tables and their copies for the raw expiry. */
const COPIES: [string, string][] = [
  ['ledger_members', 'raw_x_members'],
  ['ledger_accounts', 'raw_x_accounts'],
  ['ledger_lots', 'raw_x_lots'],
  ['ledger_entries', 'raw_x_entries'],
  ['ledger_lot_moves', 'raw_x_moves'],
  ['outbox_events', 'raw_x_outbox'],
];

/**
 * Lots due with points left. On MariaDB through the copies' `dueAt` (the ledger's virtual column,
 * indexed without the lots already written off), as the ledger's sweep finds them.
 */
const due = (mysql: boolean) => (mysql ? 'dueAt <= ?' : 'expiresAt <= ? AND remaining > 0');
const sums = (mysql: boolean) =>
  `SELECT memberId, kind, SUM(remaining) AS s, COUNT(*) AS n FROM raw_x_lots WHERE ${due(mysql)} GROUP BY memberId, kind`;
const counts = (mysql: boolean) =>
  `SELECT memberId, COUNT(*) AS n FROM raw_x_lots WHERE ${due(mysql)} GROUP BY memberId`;
const NEW = "FROM raw_x_entries e WHERE e.createdAt = ? AND e.type = 'EXPIRE'";

/**
 * The raw set-based expiry, written by hand on copies of the ledger's tables: the same rows
 * (EXPIRE entries with sequence and running balance by window functions, lot moves with the
 * liability report's columns, balance.changed outbox rows, balances, sequences, lots), all due lots in one transaction.
 * Parameters: see {@link rawExpiryParams}.
 */
const rawExpirySql = (mysql: boolean) => {
  // The ledger's ids: v4-shaped UUIDs, made by the database.
  const uuid = mysql ? 'UUID()' : SQLITE_UUID;
  return [
    `INSERT INTO raw_x_entries (id, memberId, sequence, kind, type, points, balanceAfter, description, merchantId, lotId, expiresAt, actor, createdAt)
     SELECT ${uuid}, l.memberId, s.lastSequence + ROW_NUMBER() OVER (PARTITION BY l.memberId ORDER BY l.expiresAt, l.id),
       l.kind, 'EXPIRE', -l.remaining,
       a.balance - SUM(l.remaining) OVER (PARTITION BY l.memberId, l.kind ORDER BY l.expiresAt, l.id ROWS UNBOUNDED PRECEDING),
       'Points expired', l.merchantId, l.id, l.expiresAt, 'system:expiry', ?
     FROM raw_x_lots l JOIN raw_x_members s ON s.memberId = l.memberId JOIN raw_x_accounts a ON a.memberId = l.memberId AND a.kind = l.kind
     WHERE ${mysql ? 'l.dueAt <= ?' : 'l.expiresAt <= ? AND l.remaining > 0'}`,
    `INSERT INTO raw_x_moves (entryId, lotId, points, merchantId, kind, entryType, createdAt) SELECT e.id, e.lotId, e.points, e.merchantId, e.kind, e.type, e.createdAt ${NEW}`,
    `INSERT INTO raw_x_outbox (eventId, topic, eventKey, payload, occurredAt) SELECT ${uuid}, 'balance.changed', e.memberId,
       ${mysql ? 'JSON_OBJECT' : 'json_object'}('memberId', e.memberId, 'kind', e.kind, 'delta', e.points, 'balance', e.balanceAfter, 'entryId', e.id, 'entryType', e.type, 'sequence', e.sequence, 'createdAt', e.createdAt), e.createdAt
     ${NEW} ORDER BY e.memberId, e.sequence`,
    mysql
      ? `UPDATE raw_x_accounts a JOIN (${sums(true)}) d ON d.memberId = a.memberId AND d.kind = a.kind SET a.balance = a.balance - d.s`
      : `UPDATE raw_x_accounts SET balance = balance - d.s FROM (${sums(false)}) d WHERE d.memberId = raw_x_accounts.memberId AND d.kind = raw_x_accounts.kind`,
    mysql
      ? `UPDATE raw_x_members m JOIN (${counts(true)}) d ON d.memberId = m.memberId SET m.lastSequence = m.lastSequence + d.n`
      : `UPDATE raw_x_members SET lastSequence = lastSequence + d.n FROM (${counts(false)}) d WHERE d.memberId = raw_x_members.memberId`,
    `UPDATE raw_x_lots SET remaining = 0 WHERE ${due(mysql)}`,
  ];
};
/** Each statement's parameters: the time written, or the time lots are due at. */
const rawExpiryParams = (at: string) => [[at, at], [at], [at], [at], [at], [at]];

export function rows(n: number, width: number) {
  return Array.from({ length: n }, () => `(${Array(width).fill('?').join(',')})`).join(',');
}

export async function mysqlBaseline(url: string): Promise<Baseline> {
  const pool: Pool = createPool({ uri: url, connectionLimit: 40, timezone: 'Z' });
  for (const t of RAW_TABLES) await pool.query(t);
  return {
    async seedAccounts(ids) {
      await pool.query(
        `INSERT INTO raw_accounts VALUES ${rows(ids.length, 2)}`,
        ids.flatMap((m) => [m, 0]),
      );
    },
    async earn(memberId) {
      const c = await pool.getConnection();
      try {
        await c.query('START TRANSACTION');
        await c.execute('SELECT balance FROM raw_accounts WHERE memberId = ? FOR UPDATE', [memberId]);
        await c.execute('UPDATE raw_accounts SET balance = balance + ? WHERE memberId = ?', [10, memberId]);
        const now = sqlDate(new Date());
        await c.execute('INSERT INTO raw_entries (id, memberId, points, createdAt) VALUES (?, ?, ?, ?)', [
          randomUUID(),
          memberId,
          10,
          now,
        ]);
        await c.execute(
          'INSERT INTO raw_lots (id, memberId, points, remaining, expiresAt) VALUES (?, ?, ?, ?, ?)',
          [randomUUID(), memberId, 10, 10, now],
        );
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    },
    async copyLedger() {
      // One connection, so that the copies (into empty tables) load in bulk (BULK_LOAD).
      const c = await pool.getConnection();
      try {
        await c.query(BULK_LOAD.start);
        for (const [from, to] of COPIES) {
          await c.query(`CREATE TABLE ${to} LIKE ${from}`);
          if (from === 'outbox_events') continue;
          // Generated columns (the lots' `dueAt`) are computed by the copy's own definition.
          const [cols] = await c.query(
            "SELECT GROUP_CONCAT(CONCAT('`', COLUMN_NAME, '`') ORDER BY ORDINAL_POSITION) AS list FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND EXTRA NOT LIKE '%GENERATED%'",
            [from],
          );
          const { list } = (cols as { list: string }[])[0];
          await c.query(`INSERT INTO ${to} (${list}) SELECT ${list} FROM ${from}`);
        }
      } finally {
        await c.query(BULK_LOAD.end);
        c.release();
      }
    },
    async expire(now) {
      const at = sqlDate(now);
      const c = await pool.getConnection();
      try {
        await c.query('START TRANSACTION');
        const params = rawExpiryParams(at);
        let expired = 0;
        for (const [i, text] of rawExpirySql(true).entries()) {
          const [r] = await c.query(text, params[i]);
          if (i === 0) expired = (r as { affectedRows: number }).affectedRows;
        }
        await c.query('COMMIT');
        return expired;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}

/** A raw baseline's own SQLite file, in the ledger's journal and sync modes. */
export function openSqlite(file: string): SqliteDatabase {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

/**
 * Copies tables of the ledger's SQLite file (their DDL and indexes, each index's name prefixed
 * with its copy's; their rows too where `withRows`) into a baseline's own file.
 */
export function copySqliteTables(
  db: SqliteDatabase,
  ledgerFile: string,
  copies: readonly [string, string][],
  withRows: (table: string) => boolean,
): void {
  db.prepare('ATTACH DATABASE ? AS ledger').run(ledgerFile);
  // Tables before their indexes ('table' > 'index').
  const ddl = db.prepare(
    'SELECT sql FROM ledger.sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type DESC',
  );
  for (const [from, to] of copies) {
    for (const { sql } of ddl.all(from) as { sql: string }[]) {
      db.exec(
        sql.replaceAll(`"${from}"`, `"${to}"`).replace(/^CREATE (UNIQUE )?INDEX "/, (m) => `${m}${to}_`),
      );
    }
    if (withRows(from)) db.exec(`INSERT INTO ${to} SELECT * FROM ledger.${from}`);
  }
  db.exec('DETACH DATABASE ledger');
}

export function sqliteBaseline(file: string, ledgerFile: string): Baseline {
  const db = openSqlite(file);
  for (const t of RAW_TABLES) db.exec(t);
  const lock = db.prepare('SELECT balance FROM raw_accounts WHERE memberId = ?');
  const update = db.prepare('UPDATE raw_accounts SET balance = balance + ? WHERE memberId = ?');
  const entry = db.prepare('INSERT INTO raw_entries (id, memberId, points, createdAt) VALUES (?, ?, ?, ?)');
  const lot = db.prepare(
    'INSERT INTO raw_lots (id, memberId, points, remaining, expiresAt) VALUES (?, ?, ?, ?, ?)',
  );
  const earn = db.transaction((memberId: string) => {
    lock.get(memberId);
    update.run(10, memberId);
    const now = sqlDate(new Date());
    entry.run(randomUUID(), memberId, 10, now);
    lot.run(randomUUID(), memberId, 10, 10, now);
  });
  const expire = (at: string) => {
    const statements = rawExpirySql(false).map((text) => db.prepare(text));
    const params = rawExpiryParams(at);
    return db.transaction(() => statements.map((st, i) => st.run(...params[i]).changes)[0])();
  };
  const account = db.prepare('INSERT INTO raw_accounts VALUES (?, ?)');
  return {
    async seedAccounts(ids) {
      db.transaction(() => ids.forEach((m) => account.run(m, 0)))();
    },
    async earn(memberId) {
      earn(memberId);
    },
    async copyLedger() {
      copySqliteTables(db, ledgerFile, COPIES, (table) => table !== 'outbox_events');
    },
    async expire(now) {
      return expire(sqlDate(now));
    },
    close: async () => {
      db.close();
    },
  };
}

/** Where a bench's raw baselines live: beside the ledger it started. */
export interface BesideLedger {
  config: PlatformConfig;
  kind: 'mysql' | 'sqlite';
  mysqlUrl: string;
  prefix: string;
  dataDir: string;
}

/**
 * Opens a raw baseline beside the ledger a bench started: on MySQL in the ledger's own database
 * (`<prefix>_ledger` on `mysqlUrl`), on SQLite in a file of `dataDir` (`file`) that can attach
 * the ledger's.
 */
export function openBesideLedger<T>(
  place: BesideLedger,
  file: string,
  open: { mysql(url: string): T; sqlite(file: string, ledgerFile: string): T },
): T {
  if (place.kind === 'mysql') {
    const url = new URL(place.mysqlUrl);
    url.pathname = `/${place.prefix}_ledger`;
    return open.mysql(url.toString());
  }
  const target = place.config.database('ledger');
  if (target.kind !== 'sqlite') throw new Error('expected the ledger on SQLite');
  return open.sqlite(join(place.dataDir, file), target.file);
}

/** The minimal raw earn (and the raw expiry) beside the ledger a bench started. */
export async function baselineBesideLedger(place: BesideLedger): Promise<Baseline> {
  return openBesideLedger<Promise<Baseline>>(place, 'raw.sqlite', {
    mysql: mysqlBaseline,
    sqlite: async (file, ledgerFile) => sqliteBaseline(file, ledgerFile),
  });
}
