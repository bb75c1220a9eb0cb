import type { EntityManager, QueryRunner } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import type { Database } from './data-source';
import type { QueryCounter } from './query-counter';

/** The mysql2 connection calls the pipeline makes (callback API: no promise per statement). */
export interface MysqlConnection {
  execute(sql: string, params: unknown[], cb: (err: Error | null, result: unknown) => void): void;
  query(
    sql: string | { sql: string; values: unknown[] },
    cb: (err: Error | null, result: unknown) => void,
  ): void;
  format(sql: string, values: unknown[]): string;
}

/**
 * One statement in its own round trip: prepared (mysql2 `execute`) unless its text varies with
 * its input (a multi-row INSERT), which would hold a server-side statement per shape.
 */
export function sendAlone(
  conn: MysqlConnection,
  counter: QueryCounter,
  sql: string,
  params: readonly unknown[],
  prepared: boolean,
): Promise<unknown> {
  counter.logQuery(sql);
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, result: unknown) => (err ? reject(err) : resolve(result));
    if (prepared) conn.execute(sql, params as unknown[], done);
    else conn.query({ sql, values: params as unknown[] }, done);
  });
}

/** What a held-back write must do, checked in the database before anything after it runs. */
export interface GuardOptions {
  /** Rows the statement must match (mysql2 counts matched rows, not changed ones). */
  expect: number;
  /** The error a mismatch is answered with; otherwise a {@link StatementGuardError}. */
  refused?: () => Error;
}

/** A held-back write matched other rows than it had to: the transaction was not committed. */
export class StatementGuardError extends Error {
  constructor(readonly statement: string) {
    super(`a guarded statement matched an unexpected number of rows: ${statement.slice(0, 120)}`);
    this.name = 'StatementGuardError';
  }
}

interface Held {
  text: string;
  guard?: { id: number; options: GuardOptions; statement: string };
}

/** MySQL's "Subquery returns more than 1 row": what a failed guard raises. */
const GUARD_FAILED = 1242;

const BEGIN = /^(SET TRANSACTION ISOLATION LEVEL|START TRANSACTION)/i;

/**
 * Holds back, on one MySQL connection inside a transaction, the statements whose answers nobody
 * waits for — `START TRANSACTION`, inserts, updates whose only answer is "it matched n rows" —
 * and sends them in one multi-statement text with the next statement that needs an answer (a
 * locking read, or `COMMIT`). An earn that is BEGIN, key, lock, lot, entry, balance, event,
 * COMMIT then costs two round trips instead of eight; measured with raw mysql2 on MariaDB at one
 * writer, 875–947 → 1,688–1,847 transactions/s.
 *
 * The server runs a multi-statement text in order and stops at the first error, so a write that
 * fails stops everything after it, `COMMIT` included; the transaction is then rolled back.
 * Matched-row checks that used to be read from a statement's answer run in the database as
 * guards: `SET @loyalty_guard = IF(ROW_COUNT() = n, <its id>, <a subquery of two rows>)` fails the
 * text right there. A `SET`, not a `SELECT`: it answers with an OK packet instead of a result set
 * for the server to describe and the client to parse (a lone earn has one guard), and it avoids
 * assigning a variable inside an expression, which MySQL 8 deprecates. Not `DO`: it turns the
 * subquery's error into a warning and the text runs on.
 * Values are escaped by mysql2's `format` (the escaping its `query` uses), so the connection must
 * allow multiple statements; no SQL here is ever built from input by concatenation.
 */
export class MysqlPipeline {
  private held: Held[] = [];
  /** Whether `START TRANSACTION` has reached the server (a rollback before it is a no-op). */
  private begun = false;
  private guards = 0;

  constructor(
    private readonly conn: MysqlConnection,
    private readonly counter: QueryCounter,
  ) {}

  /** Holds a write back until the next statement that needs an answer. */
  hold(sql: string, params: readonly unknown[], guard?: GuardOptions): void {
    this.counter.logStatement(sql);
    const text = this.format(sql, params);
    this.held.push({
      text,
      guard: guard && { id: (this.guards += 1), options: guard, statement: sql },
    });
  }

  /**
   * Sends a statement that needs its answer: alone as a prepared statement when nothing is held
   * back, else after everything held back in one text. Resolves to its own answer.
   */
  send(sql: string, params: readonly unknown[], prepared: boolean): Promise<unknown> {
    if (this.held.length === 0) return sendAlone(this.conn, this.counter, sql, params, prepared);
    this.counter.logStatement(sql);
    return this.sendHeld(this.format(sql, params));
  }

  /**
   * The statement as text with its values escaped. mysql2's `format` writes an array as a list
   * and an object as `key = value` pairs, where a prepared statement would bind one value: such a
   * value is refused here rather than sent as other SQL.
   */
  private format(sql: string, params: readonly unknown[]): string {
    if (params.length === 0) return sql;
    for (const v of params)
      if (typeof v === 'object' && v !== null && !(v instanceof Date) && !Buffer.isBuffer(v))
        throw new TypeError(
          `a held-back statement's value must be a scalar, a Date or a Buffer: ${sql.slice(0, 80)}`,
        );
    return this.conn.format(sql, params as unknown[]);
  }

  /** Sends what is held back, if anything. */
  async flush(): Promise<void> {
    if (this.held.length) await this.sendHeld(null);
  }

  /**
   * Makes a TypeORM query runner's transaction go through the pipeline: its BEGIN is held back,
   * its COMMIT carries what is held back, its ROLLBACK drops it (and is not sent at all if the
   * BEGIN never was), and any other statement it runs first sends what is held back, so the
   * entity manager sees every earlier write. Returns a function that undoes it.
   */
  adopt(runner: QueryRunner): () => void {
    const own = runner.query;
    const original = own.bind(runner) as (q: string, p?: unknown[], s?: boolean) => Promise<unknown>;
    runner.query = (async (query: string, parameters?: unknown[], structured?: boolean) => {
      if (BEGIN.test(query)) {
        this.hold(query, []);
        return undefined;
      }
      if (query === 'COMMIT') {
        this.counter.logStatement(query);
        await this.sendHeld(query);
        this.begun = false;
        return undefined;
      }
      if (query === 'ROLLBACK') {
        const begun = this.begun;
        this.held = [];
        this.begun = false;
        return begun ? original(query) : undefined;
      }
      await this.flush();
      return original(query, parameters, structured);
    }) as QueryRunner['query'];
    return () => {
      runner.query = own;
    };
  }

  private sendHeld(last: string | null): Promise<unknown> {
    const held = this.held;
    this.held = [];
    const parts: string[] = [];
    let first = true;
    for (const h of held) {
      if (h.guard && first) parts.push('SET @loyalty_guard = 0');
      if (h.guard) first = false;
      parts.push(h.text);
      if (h.guard) {
        parts.push(
          `SET @loyalty_guard = IF(ROW_COUNT() = ${h.guard.options.expect}, ${h.guard.id}, (SELECT 1 UNION ALL SELECT 1))`,
        );
      }
    }
    if (last !== null) parts.push(last);
    if (held.some((h) => BEGIN.test(h.text))) this.begun = true;
    this.counter.logTrip();
    return new Promise((resolve, reject) => {
      this.conn.query(parts.join(';\n'), (err, results) => {
        if (!err) {
          resolve(last === null ? undefined : (results as unknown[])[parts.length - 1]);
          return;
        }
        const guarded = held.filter((h) => h.guard);
        if ((err as { errno?: number }).errno !== GUARD_FAILED || guarded.length === 0) {
          reject(err);
          return;
        }
        // Which guard failed: every guard that passed set the variable to its id.
        this.counter.logTrip();
        this.conn.query('SELECT @loyalty_guard AS passed', (lookupErr, rows) => {
          const passed = lookupErr ? 0 : Number((rows as { passed: unknown }[])[0]?.passed ?? 0);
          const failed = guarded.find((h) => h.guard!.id > passed)?.guard ?? guarded[0].guard!;
          reject(failed.options.refused?.() ?? new StatementGuardError(failed.statement));
        });
      });
    });
  }
}

/**
 * A TypeORM transaction; on MySQL through a {@link MysqlPipeline}, so its BEGIN, the writes
 * nobody waits for and its COMMIT share round trips with the statements that need answers.
 */
export async function pipelinedTransaction<R>(
  db: Database,
  isolation: IsolationLevel | undefined,
  fn: (manager: EntityManager, pipeline: MysqlPipeline | null) => Promise<R>,
): Promise<R> {
  if (db.kind !== 'mysql') return db.dataSource.transaction((m) => fn(m, null));
  const runner = db.dataSource.createQueryRunner('master');
  try {
    const pipeline = new MysqlPipeline((await runner.connect()) as MysqlConnection, db.queries);
    const undo = pipeline.adopt(runner);
    try {
      const body = (m: EntityManager) => fn(m, pipeline);
      return await (isolation
        ? runner.manager.transaction(isolation, body)
        : runner.manager.transaction(body));
    } finally {
      undo();
    }
  } finally {
    await runner.release();
  }
}
