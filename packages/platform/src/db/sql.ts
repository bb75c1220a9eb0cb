import type { EntityManager } from 'typeorm';
import type { Database } from './data-source';
import {
  MysqlPipeline,
  sendAlone,
  StatementGuardError,
  type GuardOptions,
  type MysqlConnection,
} from './mysql-pipeline';

/** A row as the driver returns it: column name to value. */
export type SqlRow = Record<string, unknown>;

/**
 * Plain SQL on the transaction's own connection, for hot paths: prepared statements (mysql2
 * `execute`, better-sqlite3 statements prepared once per text) with none of the query builder's
 * per-statement work. Dates are bound as UTC `YYYY-MM-DD HH:MM:SS.mmm`, the form TypeORM stores
 * on both databases. Every statement is counted by the data source's {@link QueryCounter}.
 */
export interface Sql {
  readonly kind: 'mysql' | 'sqlite';
  /** A statement that returns rows. */
  rows<R = SqlRow>(sql: string, params?: readonly unknown[], options?: RunOptions): Promise<R[]>;
  /** A statement that changes rows; resolves to the number of rows it matched. */
  run(sql: string, params?: readonly unknown[], options?: RunOptions): Promise<number>;
  /**
   * A write whose only answer is whether it matched `expect` rows (or that it did not fail): on a
   * transaction's MySQL connection it is held back and sent with the next statement that needs an
   * answer, or with the COMMIT ({@link MysqlPipeline}), so its failure (a duplicate key, a guard)
   * surfaces there and fails the transaction; elsewhere it runs at once.
   */
  later(sql: string, params?: readonly unknown[], options?: LaterOptions): Promise<void>;
  /** Sends every write held back by {@link later} (so a failure is this caller's). */
  flush(): Promise<void>;
  /** Transaction control (SAVEPOINT and friends), sent as text: not every server prepares it. */
  control(sql: string): Promise<void>;
}

/** How a held-back write is sent and checked. */
export interface LaterOptions extends RunOptions, Partial<GuardOptions> {}

/** How one statement is sent. */
export interface RunOptions {
  /**
   * The text varies with its input (a multi-row INSERT of n rows): on MySQL not kept prepared,
   * since every shape would hold a server-side statement (MySQL caps them per server); on SQLite
   * kept among a bounded number of such texts.
   */
  oneOff?: boolean;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A Date as the UTC DATETIME(3) text both databases store. */
export function sqlDate(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(
    d.getUTCHours(),
  )}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/**
 * A DATETIME read by plain SQL as a Date: mysql2 already gives a Date, better-sqlite3 the UTC
 * text {@link sqlDate} wrote. Null stays null.
 */
export function dateFromSql(value: string | Date | null): Date | null {
  if (value === null || value instanceof Date) return value;
  return new Date(`${value.replace(' ', 'T')}Z`);
}

function bind(params: readonly unknown[]): unknown[] {
  const out = new Array<unknown>(params.length);
  for (let i = 0; i < params.length; i += 1) {
    const v = params[i];
    out[i] = v === undefined ? null : v instanceof Date ? sqlDate(v) : typeof v === 'boolean' ? +v : v;
  }
  return out;
}

interface BetterSqliteStatement {
  reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}

interface BetterSqliteDatabase {
  prepare(sql: string): BetterSqliteStatement;
  exec(sql: string): void;
}

/** better-sqlite3 statements, prepared once per SQL text for the life of the connection. */
const sqliteStatements = new WeakMap<object, StatementCache>();

interface StatementCache {
  statements: Map<string, BetterSqliteStatement>;
  /** The texts sent as one-offs, kept in `statements` too. */
  oneOffs: Set<string>;
}

/** One-off texts kept prepared per connection before they are all dropped. */
const MAX_ONE_OFF = 512;

function sqliteSql(db: Database): Sql {
  const conn = (db.dataSource.driver as unknown as { databaseConnection: BetterSqliteDatabase })
    .databaseConnection;
  let cache = sqliteStatements.get(conn);
  if (!cache) sqliteStatements.set(conn, (cache = { statements: new Map(), oneOffs: new Set() }));
  const { statements, oneOffs } = cache;
  const prepare = (sql: string, options?: RunOptions): BetterSqliteStatement => {
    db.queries.logQuery(sql);
    let stmt = statements.get(sql);
    if (!stmt) {
      // Statements are the process's own here (no server-side cap): a batch's multi-row shapes
      // are kept too, since preparing a 64-row INSERT costs more than running it. One-off texts
      // stay bounded: all are dropped when too many have gathered.
      if (options?.oneOff) {
        if (oneOffs.size >= MAX_ONE_OFF) {
          for (const text of oneOffs) statements.delete(text);
          oneOffs.clear();
        }
        oneOffs.add(sql);
      }
      stmt = conn.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  return {
    kind: 'sqlite',
    rows: async <R>(sql: string, params: readonly unknown[] = [], options?: RunOptions) =>
      prepare(sql, options).all(...bind(params)) as R[],
    run: async (sql, params = [], options) => prepare(sql, options).run(...bind(params)).changes,
    later: async (sql, params = [], options) => {
      const changes = prepare(sql, options).run(...bind(params)).changes;
      checkGuard(sql, changes, options);
    },
    flush: async () => undefined,
    control: async (sql) => {
      db.queries.logQuery(sql);
      conn.exec(sql);
    },
  };
}

/** A write's matched rows against its guard: what a pipeline checks in the database. */
function checkGuard(sql: string, matched: number, options?: LaterOptions): void {
  if (options?.expect === undefined || matched === options.expect) return;
  throw options.refused?.() ?? new StatementGuardError(sql);
}

function mysqlSql(
  db: Database,
  conn: MysqlConnection,
  pipeline: MysqlPipeline | null,
  { prepare = true }: { prepare?: boolean } = {},
): Sql {
  const execute = (sql: string, params: readonly unknown[], options?: RunOptions) =>
    pipeline
      ? pipeline.send(sql, bind(params), !options?.oneOff)
      : sendAlone(conn, db.queries, sql, bind(params), prepare && !options?.oneOff);
  const run = async (sql: string, params: readonly unknown[] = [], options?: RunOptions) =>
    ((await execute(sql, params, options)) as { affectedRows: number }).affectedRows;
  return {
    kind: 'mysql',
    rows: async <R>(sql: string, params: readonly unknown[] = [], options?: RunOptions) =>
      (await execute(sql, params, options)) as R[],
    run,
    later: async (sql, params = [], options) => {
      if (pipeline) {
        const guard =
          options?.expect === undefined ? undefined : { expect: options.expect, refused: options.refused };
        pipeline.hold(sql, bind(params), guard);
        return;
      }
      checkGuard(sql, await run(sql, params, options), options);
    },
    flush: async () => pipeline?.flush(),
    control: async (sql) => {
      // A savepoint needs no answer: it goes with the work it guards.
      if (pipeline && /^(SAVEPOINT|RELEASE SAVEPOINT) /.test(sql)) return pipeline.hold(sql, []);
      // Sent as text: not every server prepares transaction control.
      await (pipeline ? pipeline.send(sql, [], false) : sendAlone(conn, db.queries, sql, [], false));
    },
  };
}

/**
 * Plain SQL on the connection of a transaction's entity manager (the one
 * {@link Transactor.run} hands out), or on SQLite's single connection.
 */
export function sqlFor(db: Database, manager: EntityManager, pipeline: MysqlPipeline | null = null): Sql {
  if (db.kind === 'sqlite') return sqliteSql(db);
  const conn = (manager.queryRunner as unknown as { databaseConnection?: MysqlConnection } | undefined)
    ?.databaseConnection;
  if (!conn) throw new Error('sqlFor needs the entity manager of an open transaction on MySQL');
  return mysqlSql(db, conn, pipeline);
}

/** Plain SQL on a connection the caller holds (a relay's own session, say). */
export function sqlOnConnection(db: Database, conn: unknown): Sql {
  return db.kind === 'sqlite' ? sqliteSql(db) : mysqlSql(db, conn as MysqlConnection, null);
}

/**
 * Plain SQL on MySQL's connection pool, for statements that stand alone (autocommit reads): each
 * runs on whichever pooled connection is free and goes back at once. No transaction, so two
 * statements may see different moments. Sent as text, never prepared: a prepared statement lives
 * on its connection, so every read shape (each batch size of a DataLoader, say) on every pooled
 * connection of every service would hold one, and the server refuses past
 * `max_prepared_stmt_count` (16,382 by default) for all its clients.
 */
export function sqlOnPool(db: Database): Sql {
  const pool = (db.dataSource.driver as unknown as { pool?: MysqlConnection }).pool;
  if (db.kind !== 'mysql' || !pool)
    throw new Error('sqlOnPool needs a MySQL data source without replication');
  return mysqlSql(db, pool, null, { prepare: false });
}
