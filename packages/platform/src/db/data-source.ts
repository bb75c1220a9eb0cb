import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import { createConnection } from 'mysql2/promise';
import type { Logger } from 'pino';
import type { DatabaseTarget } from '../config';
import { QueryCounter } from './query-counter';
import { registerForCheckpoints, type CheckpointRegistration } from './sqlite-checkpointer';

export interface DataSourceSpec {
  target: DatabaseTarget;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  logger: Logger;
  /** Tests only: build tables from entities instead of migrations. */
  synchronize?: boolean;
}

/** A TypeORM data source plus the counter that watches its SQL. */
export interface Database {
  dataSource: DataSource;
  queries: QueryCounter;
  kind: DatabaseTarget['kind'];
  /** SQLite: the background checkpoints of its file (null: MySQL, or turned off). */
  checkpoints: CheckpointRegistration | null;
}

/** Creates the MySQL database if it does not exist yet (one database per service). */
export async function ensureMysqlDatabase(serverUrl: string, database: string): Promise<void> {
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`unsafe database name: ${database}`);
  const conn = await createConnection({ uri: serverUrl });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
    );
  } finally {
    await conn.end();
  }
}

/** Drops a MySQL database (test cleanup). */
export async function dropMysqlDatabase(serverUrl: string, database: string): Promise<void> {
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`unsafe database name: ${database}`);
  const conn = await createConnection({ uri: serverUrl });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await conn.end();
  }
}

/**
 * The log size, in pages, at which a commit checkpoints inline (SQLite's `wal_autocheckpoint`):
 * with the checkpoint thread, a backstop. See the comment where it is set.
 */
export const SQLITE_AUTOCHECKPOINT_PAGES = 40_000;

/**
 * Opens a service's database and runs its pending migrations. Embedded default: a durable
 * SQLite file in WAL mode; production: MySQL through mysql2, UTC everywhere.
 */
export async function openDatabase(spec: DataSourceSpec): Promise<Database> {
  const queries = new QueryCounter(spec.logger);
  const common = {
    entities: spec.entities,
    migrations: spec.migrations,
    migrationsTableName: 'schema_migrations',
    synchronize: spec.synchronize ?? false,
    logger: queries,
    maxQueryExecutionTime: 1000,
  } as const;
  let options: DataSourceOptions;
  if (spec.target.kind === 'sqlite') {
    mkdirSync(dirname(spec.target.file), { recursive: true });
    options = {
      ...common,
      type: 'better-sqlite3',
      database: spec.target.file,
      enableWAL: true,
      // Writers wait for each other instead of failing with SQLITE_BUSY (several processes may
      // share a file, e.g. a CLI and the server).
      timeout: 10_000,
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('synchronous = NORMAL');
        // A checkpoint copies the log's pages into the file and costs two fsyncs. SQLite runs it
        // inside whichever commit crosses this threshold, on the thread that writes: with the
        // ledger's earn loop (one writer) a ~40 ms stall every ~0.25 s. A checkpoint thread
        // (sqlite-checkpointer.ts) now copies the log every SQLITE_CHECKPOINT_INTERVAL on its own
        // connection, and this threshold is the backstop: passive checkpoints never restart the
        // log while writers append, so without it the log grew to 1.8 GB in 10 s of earns; with
        // it, the commit that crosses it finds nearly all copied, and the next restarts the log.
        // Measured with the ledger's earn loop (bench/earn-loop.ts: one writer, 5 s, pairs on a shared machine):
        // inline only 1,289-1,767 earns/s, event-loop delay p99 75-94 ms; thread every 100 ms
        // with 10,000 pages 1,724-2,478/s, p99 35-60 ms (the rest is this backstop: without it
        // p99 was 8 ms); with 4,000 pages 1,745/s, 20,000 pages 1,569-2,530/s for twice the log;
        // every 50 ms about the same, every 250 ms p99 80 ms. 10,000 pages (40 MB of log) was
        // also the inline-only optimum (pages written many times go to the file once).
        // Durability is the same. Since then 40,000 pages (160 MB of log at most): the commit
        // crossing the backstop still copies what the thread had not (a few thousand frames) and
        // syncs both files, 8-32 ms mostly blocked on the disk, and at 10,000 pages a lone writer
        // crossed it every 0.16 s, 17 % of its time (COMMITs timed by their thread's schedstat);
        // four times rarer, the earn loop ran 2,744-2,928 -> 3,175-3,392 earns/s alone and
        // 4,624-4,900 -> 5,122-5,662 at 8 writers, event-loop delay p99 28-35 -> 8-19 ms and
        // 29-55 -> 7-10 ms (100,000 pages gained nothing more for 400 MB of log).
        db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
        db.pragma('foreign_keys = ON');
      },
    };
  } else {
    await ensureMysqlDatabase(spec.target.serverUrl, spec.target.database);
    const url = new URL(spec.target.serverUrl);
    url.pathname = `/${spec.target.database}`;
    options = {
      ...common,
      type: 'mysql',
      url: url.toString(),
      timezone: 'Z',
      charset: 'utf8mb4_bin',
      supportBigNumbers: true,
      bigNumberStrings: false,
      // Multiple statements per text: a transaction's writes share round trips (MysqlPipeline).
      // Every statement is parameterized and escaped by mysql2; none is built from input.
      extra: { connectionLimit: 20, multipleStatements: true },
    };
  }
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  if (!common.synchronize) await dataSource.runMigrations({ transaction: 'each' });
  let checkpoints: CheckpointRegistration | null = null;
  if (spec.target.kind === 'sqlite' && spec.target.checkpointIntervalMs !== null) {
    const registration = registerForCheckpoints(
      spec.target.file,
      { intervalMs: spec.target.checkpointIntervalMs, backstopPages: SQLITE_AUTOCHECKPOINT_PAGES },
      spec.logger,
    );
    checkpoints = registration;
    // Whoever closes the database (a service's stop, a test, a CLI) calls dataSource.destroy():
    // the checkpoint thread lets go of the file first, so that the main connection closes last
    // and SQLite checkpoints and removes the log as it did before.
    const destroy = dataSource.destroy.bind(dataSource);
    dataSource.destroy = async () => {
      await registration.close();
      await destroy();
    };
  }
  return { dataSource, queries, kind: spec.target.kind, checkpoints };
}

/**
 * Moves everything committed from SQLite's write-ahead log into the database file and empties the
 * log, so that data just erased is not still on disk in the log's older page images. MySQL:
 * nothing to do (its redo log is the server's).
 */
export async function checkpointDatabase(db: Database): Promise<void> {
  if (db.kind !== 'sqlite') return;
  // A TRUNCATE checkpoint does not wait for another checkpoint (the checkpoint thread's, a
  // few ms): it answers busy, and then the log was not emptied. Try again, then fail loudly.
  for (let attempt = 0; ; attempt++) {
    const [row] = (await db.dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)')) as { busy: number }[];
    if (!row || row.busy === 0) return;
    if (attempt === 100) throw new Error('the SQLite log could not be emptied: a checkpoint stayed busy');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** True when a driver error is a unique/primary-key violation (MySQL and SQLite). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  const code = e?.driverError?.code ?? e?.code;
  const errno = e?.driverError?.errno ?? e?.errno;
  return (
    code === 'ER_DUP_ENTRY' ||
    errno === 1062 ||
    (typeof code === 'string' && /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test(code))
  );
}

/** True when MySQL aborted a transaction that may succeed if run again (deadlock, lock wait). */
export function isRetryableTransactionError(error: unknown): boolean {
  const e = error as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  const errno = e?.driverError?.errno ?? e?.errno;
  const code = e?.driverError?.code ?? e?.code;
  return (
    errno === 1213 ||
    errno === 1205 ||
    code === 'ER_LOCK_DEADLOCK' ||
    code === 'ER_LOCK_WAIT_TIMEOUT' ||
    code === 'SQLITE_BUSY'
  );
}
