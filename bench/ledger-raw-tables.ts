/**
 * A second raw earn baseline for the ledger bench: the rows one ledger earn writes (idempotency
 * key, entry, lot, balance, sequence, `balance.changed` outbox row), written by hand-written
 * statements into empty copies of the ledger's own tables (same columns, same indexes). Beside
 * the minimal raw earn (ledger-raw.ts: four narrow tables without secondary indexes) it splits
 * the gap between the ledger and raw SQL in two: what the ledger's tables cost the database
 * (minimal raw ÷ this), and what the ledger's code costs on top of them (this ÷ the ledger).
 *
 * On MySQL its statements go in the ledger's two round trips (BEGIN, key and lock; the writes
 * and COMMIT: multi-statement texts, as the ledger's `MysqlPipeline` sends them), so that the
 * difference left is the ledger's code, not its protocol; on SQLite, prepared statements in one
 * transaction, in a database file of its own with the minimal baseline's settings.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { orderedUuid, PointKind, sqlDate } from '@loyalty/platform';
import { copySqliteTables, openBesideLedger, openSqlite, rows, type BesideLedger } from './ledger-raw';

/** The raw earn on the ledger's tables, and its accounts. */
export interface TablesBaseline {
  seedAccounts(memberIds: string[]): Promise<void>;
  earn(memberId: string): Promise<void>;
  close(): Promise<void>;
}

/** The ledger's tables an earn writes, and their copies here. */
const COPIES: [string, string][] = [
  ['ledger_members', 'raw_t_members'],
  ['ledger_accounts', 'raw_t_accounts'],
  ['ledger_entries', 'raw_t_entries'],
  ['ledger_lots', 'raw_t_lots'],
  ['ledger_idempotency', 'raw_t_keys'],
  ['outbox_events', 'raw_t_outbox'],
];

const KINDS = Object.values(PointKind);

const INSERT_KEY =
  'INSERT INTO raw_t_keys (`key`, operation, requestHash, resultRef, createdAt) VALUES (?, ?, ?, ?, ?)';
const LOCK =
  "SELECT s.lastSequence, a.balance FROM raw_t_members s JOIN raw_t_accounts a ON a.memberId = s.memberId AND a.kind = 'REGULAR' WHERE s.memberId = ?";
const INSERT_ENTRY =
  'INSERT INTO raw_t_entries (id, memberId, sequence, kind, type, points, balanceAfter, description, merchantId, campaignId, sourceType, sourceId, lotId, holdId, expiresAt, actor, createdAt) ' +
  "VALUES (?, ?, ?, 'REGULAR', 'EARN', ?, ?, 'bench', 'shop', NULL, NULL, NULL, ?, NULL, ?, 'service:bench', ?)";
const INSERT_LOT =
  'INSERT INTO raw_t_lots (id, memberId, kind, entryId, points, remaining, earnedAt, expiresAt, merchantId, campaignId, sourceType, sourceId, origin) ' +
  "VALUES (?, ?, 'REGULAR', ?, ?, ?, ?, ?, 'shop', NULL, NULL, NULL, 'EARN')";
const UPDATE_ACCOUNT =
  "UPDATE raw_t_accounts SET balance = ?, updatedAt = ? WHERE memberId = ? AND kind = 'REGULAR'";
const UPDATE_SEQUENCE = 'UPDATE raw_t_members SET lastSequence = ? WHERE memberId = ?';
const INSERT_EVENT =
  "INSERT INTO raw_t_outbox (eventId, topic, eventKey, payload, occurredAt, publishedAt) VALUES (?, 'balance.changed', ?, ?, ?, NULL)";

const POINTS = 10;
const YEAR_MS = 365 * 86_400_000;

/** One earn's rows, given the member's locked sequence and balance. */
function earnRows(memberId: string, entryId: string, lastSequence: number, balance: number) {
  const now = new Date();
  const at = sqlDate(now);
  const expiresAt = sqlDate(new Date(now.getTime() + YEAR_MS));
  const lotId = orderedUuid();
  const sequence = lastSequence + 1;
  const after = balance + POINTS;
  const payload = JSON.stringify({
    memberId,
    kind: 'REGULAR',
    delta: POINTS,
    balance: after,
    entryId,
    entryType: 'EARN',
    sequence,
    createdAt: now.toISOString(),
  });
  return {
    entry: [entryId, memberId, sequence, POINTS, after, lotId, expiresAt, at],
    lot: [lotId, memberId, entryId, POINTS, POINTS, at, expiresAt],
    account: [after, at, memberId],
    sequence: [sequence, memberId],
    event: [orderedUuid(), memberId, payload, at],
  };
}

/** An idempotency key's row (the request hash a real one: the ledger hashes every request). */
function keyRow(memberId: string, entryRef: string) {
  const key = randomUUID();
  const hash = createHash('sha256').update(`credit ${memberId} ${POINTS}`).digest('hex');
  return [key, 'credit', hash, entryRef, sqlDate(new Date())];
}

/** Members and their accounts (every kind, as the ledger's), in chunks. */
function seedRows(ids: string[]) {
  const at = sqlDate(new Date());
  return {
    members: [
      `INSERT INTO raw_t_members (memberId, lastSequence, createdAt) VALUES ${rows(ids.length, 3)}`,
      ids.flatMap((m) => [m, 0, at]),
    ] as const,
    accounts: [
      `INSERT INTO raw_t_accounts (memberId, kind, balance, updatedAt) VALUES ${rows(ids.length * KINDS.length, 4)}`,
      ids.flatMap((m) => KINDS.flatMap((k) => [m, k, 0, at])),
    ] as const,
  };
}

async function mysqlTablesBaseline(url: string): Promise<TablesBaseline> {
  const pool: Pool = createPool({ uri: url, connectionLimit: 40, timezone: 'Z', multipleStatements: true });
  for (const [from, to] of COPIES) await pool.query(`CREATE TABLE ${to} LIKE ${from}`);
  return {
    async seedAccounts(ids) {
      const { members, accounts } = seedRows(ids);
      await pool.query(members[0], members[1]);
      await pool.query(accounts[0], accounts[1]);
    },
    async earn(memberId) {
      const c = await pool.getConnection();
      try {
        const entryId = orderedUuid();
        const [results] = await c.query(`START TRANSACTION; ${INSERT_KEY}; ${LOCK} FOR UPDATE`, [
          ...keyRow(memberId, `entry:${entryId}`),
          memberId,
        ]);
        const [locked] = (results as RowDataPacket[][])[2];
        const r = earnRows(memberId, entryId, Number(locked.lastSequence), Number(locked.balance));
        await c.query(
          `${INSERT_ENTRY}; ${INSERT_LOT}; ${UPDATE_ACCOUNT}; ${UPDATE_SEQUENCE}; ${INSERT_EVENT}; COMMIT`,
          [...r.entry, ...r.lot, ...r.account, ...r.sequence, ...r.event],
        );
      } catch (error) {
        await c.query('ROLLBACK');
        throw error;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}

function sqliteTablesBaseline(file: string, ledgerFile: string): TablesBaseline {
  const db = openSqlite(file);
  copySqliteTables(db, ledgerFile, COPIES, () => false);
  const insertKey = db.prepare(INSERT_KEY);
  const lock = db.prepare(LOCK);
  const entry = db.prepare(INSERT_ENTRY);
  const lot = db.prepare(INSERT_LOT);
  const account = db.prepare(UPDATE_ACCOUNT);
  const sequence = db.prepare(UPDATE_SEQUENCE);
  const event = db.prepare(INSERT_EVENT);
  const earn = db.transaction((memberId: string) => {
    const entryId = orderedUuid();
    insertKey.run(...keyRow(memberId, `entry:${entryId}`));
    const locked = lock.get(memberId) as { lastSequence: number; balance: number };
    const r = earnRows(memberId, entryId, locked.lastSequence, locked.balance);
    entry.run(...r.entry);
    lot.run(...r.lot);
    account.run(...r.account);
    sequence.run(...r.sequence);
    event.run(...r.event);
  });
  return {
    async seedAccounts(ids) {
      const { members, accounts } = seedRows(ids);
      db.transaction(() => {
        db.prepare(members[0]).run(...members[1]);
        db.prepare(accounts[0]).run(...accounts[1]);
      })();
    },
    async earn(memberId) {
      earn(memberId);
    },
    close: async () => {
      db.close();
    },
  };
}

/** The raw earn on copies of the ledger's tables, beside the ledger a bench started. */
export async function tablesBaselineBesideLedger(place: BesideLedger): Promise<TablesBaseline> {
  return openBesideLedger<Promise<TablesBaseline>>(place, 'raw-tables.sqlite', {
    mysql: mysqlTablesBaseline,
    sqlite: async (file, ledgerFile) => sqliteTablesBaseline(file, ledgerFile),
  });
}
