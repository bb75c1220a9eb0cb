import { Column, Entity, PrimaryColumn } from 'typeorm';
import { isUniqueViolation, StatementGuardError, Transactor, type Database } from '@loyalty/platform';
import { onMysql, openTestDatabase, testConfig } from '@loyalty/testing';
import { MysqlPipeline, type MysqlConnection } from '../src/db/mysql-pipeline';

@Entity({ name: 'test_pipeline_accounts' })
class AccountRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'int' })
  balance: number;
}

@Entity({ name: 'test_pipeline_entries' })
class EntryRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  account: string;

  @Column({ type: 'int' })
  points: number;
}

const LOCK = 'SELECT `balance` FROM `test_pipeline_accounts` WHERE `id` = ?';
const ENTRY = 'INSERT INTO `test_pipeline_entries` (`id`, `account`, `points`) VALUES (?, ?, ?)';
const CREDIT =
  'UPDATE `test_pipeline_accounts` SET `balance` = `balance` + ? WHERE `id` = ? AND `balance` + ? >= 0';

class RefusedError extends Error {}

/**
 * Writes held back on a transaction's MySQL connection go out with the next statement that needs
 * an answer, or with the COMMIT (`MysqlPipeline`); on SQLite they run at once. Either way a
 * transaction writes all or nothing, and a failed guard or key fails it.
 */
describe('writes held back until an answer is needed (Sql.later)', () => {
  const config = testConfig();
  let db: Database;
  let transactor: Transactor;
  let mysql: boolean;

  beforeAll(async () => {
    db = await openTestDatabase(config, [AccountRow, EntryRow]);
    transactor = new Transactor(db);
    mysql = db.kind === 'mysql';
  });
  afterAll(() => db?.dataSource.destroy());

  let n = 0;
  const account = async (balance: number) => {
    const id = `acct-${(n += 1)}-${Date.now()}`;
    await db.dataSource.getRepository(AccountRow).insert({ id, balance });
    return id;
  };
  const balance = async (id: string) =>
    (await db.dataSource.getRepository(AccountRow).findOneByOrFail({ id })).balance;
  const entries = (id: string) => db.dataSource.getRepository(EntryRow).countBy({ account: id });
  const lock = () => (mysql ? `${LOCK} FOR UPDATE` : LOCK);

  it('an earn-shaped transaction costs two round trips on MySQL and writes everything', async () => {
    const id = await account(10);
    db.queries.reset();
    await transactor.run(async ({ sql }) => {
      await sql.later(ENTRY, [`${id}-key`, id, 0]);
      const [row] = await sql.rows<{ balance: number }>(lock(), [id]);
      expect(row.balance).toBe(10);
      await sql.later(ENTRY, [`${id}-e1`, id, 5]);
      await sql.later(CREDIT, [5, id, 5], { expect: 1 });
      await sql.later(ENTRY, [`${id}-e2`, id, 7]);
      await sql.later(CREDIT, [7, id, 7], { expect: 1 });
    });
    // BEGIN + key + lock, then the writes + COMMIT; SQLite sends each statement (in process).
    expect(db.queries.roundTrips).toBe(mysql ? 2 : 8);
    expect(await balance(id)).toBe(22);
    expect(await entries(id)).toBe(3);
  });

  it('a guard that fails refuses the transaction with its own error and writes nothing', async () => {
    const id = await account(3);
    const attempt = transactor.run(async ({ sql }) => {
      await sql.rows(lock(), [id]);
      await sql.later(ENTRY, [`${id}-e1`, id, 1]);
      await sql.later(CREDIT, [1, id, 1], { expect: 1, refused: () => new Error('first guard') });
      // Overdraws: the guard's condition matches no row.
      await sql.later(ENTRY, [`${id}-e2`, id, -10]);
      await sql.later(CREDIT, [-10, id, -10], { expect: 1, refused: () => new RefusedError('overdraft') });
      await sql.later(ENTRY, [`${id}-e3`, id, 1]);
      await sql.later(CREDIT, [1, id, 1], { expect: 1, refused: () => new Error('third guard') });
    });
    await expect(attempt).rejects.toThrow(RefusedError);
    expect(await balance(id)).toBe(3);
    expect(await entries(id)).toBe(0);
  });

  it('a guard without an error of its own fails with StatementGuardError', async () => {
    const id = await account(0);
    await expect(transactor.run(({ sql }) => sql.later(CREDIT, [-1, id, -1], { expect: 1 }))).rejects.toThrow(
      StatementGuardError,
    );
    expect(await balance(id)).toBe(0);
  });

  it('a held insert that hits a key fails the transaction at the next answer, before what follows runs', async () => {
    const id = await account(0);
    await db.dataSource.getRepository(EntryRow).insert({ id: `${id}-taken`, account: id, points: 0 });
    let answered = false;
    const attempt = transactor.run(async ({ sql }) => {
      await sql.later(ENTRY, [`${id}-taken`, id, 1]);
      await sql.rows(lock(), [id]);
      answered = true;
      await sql.later(CREDIT, [1, id, 1], { expect: 1 });
    });
    const error = await attempt.catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
    expect(answered).toBe(false);
    expect(await balance(id)).toBe(0);
  });

  it('the entity manager sees what was held back: TypeORM statements send it first', async () => {
    const id = await account(0);
    const seen = await transactor.run(async ({ sql, manager }) => {
      await sql.later(ENTRY, [`${id}-e1`, id, 4]);
      return manager.countBy(EntryRow, { account: id });
    });
    expect(seen).toBe(1);
    expect(await entries(id)).toBe(1);
  });

  it('a work that throws before anything reached MySQL costs no round trip at all', async () => {
    const id = await account(0);
    db.queries.reset();
    await expect(
      transactor.run(async ({ sql }) => {
        await sql.later(ENTRY, [`${id}-e1`, id, 4]);
        throw new RefusedError('refused in memory');
      }),
    ).rejects.toThrow(RefusedError);
    // SQLite ran the insert and rolled it back (BEGIN, INSERT, ROLLBACK).
    expect(db.queries.roundTrips).toBe(mysql ? 0 : 3);
    expect(await entries(id)).toBe(0);
  });

  it('a held-back isolation level applies to the transaction it begins', async () => {
    if (!mysql) return; // SQLite transactions are serialized: there is no isolation to choose
    const id = await account(0);
    const count = (sql: { rows<R>(q: string, p: unknown[]): Promise<R[]> }) =>
      sql
        .rows<{ n: number }>('SELECT COUNT(*) AS `n` FROM `test_pipeline_entries` WHERE `account` = ?', [id])
        .then(([row]) => Number(row.n));
    const seen = async (isolation?: 'READ COMMITTED') =>
      transactor.run(
        async ({ sql }) => {
          const before = await count(sql);
          // Committed by another connection while this transaction is open.
          await db.dataSource
            .getRepository(EntryRow)
            .insert({ id: `${id}-${isolation ? 'rc' : 'rr'}`, account: id, points: 1 });
          return (await count(sql)) - before;
        },
        { isolation },
      );
    // READ COMMITTED sees the other commit; the default REPEATABLE READ keeps its snapshot.
    expect(await seen('READ COMMITTED')).toBe(1);
    expect(await seen()).toBe(0);
  });

  it('refuses an object or a list as a value rather than send it as other SQL', async () => {
    const id = await account(0);
    // mysql2's text escaping writes { a: 1 } as `a` = 1 and a list as (x, y); a prepared
    // statement would have bound one value.
    for (const value of [{ points: 1 }, [1, 2]])
      await expect(
        transactor.run(async ({ sql }) => {
          await sql.rows(lock(), [id]);
          await sql.later(ENTRY, [`${id}-e`, id, value]);
        }),
        // better-sqlite3 refuses them too (an object as named parameters, a list as too few),
        // with errors of its own realm.
      ).rejects.toThrow(mysql ? TypeError : undefined);
    expect(await entries(id)).toBe(0);
  });

  // A guard is checked by the server; its answer is an OK packet, not a result set the server
  // describes and the client parses (one per guarded write: a lone earn has one).
  (onMysql() ? it : it.skip)('a guard that passes answers with an OK packet, not a result set', async () => {
    const id = await account(5);
    const runner = db.dataSource.createQueryRunner();
    try {
      const conn = (await runner.connect()) as MysqlConnection;
      const answers: unknown[] = [];
      const recording: MysqlConnection = {
        execute: (sql, params, cb) => conn.execute(sql, params, cb),
        query: (sql, cb) =>
          conn.query(sql, (err, result) => {
            answers.push(result);
            cb(err, result);
          }),
        format: (sql, values) => conn.format(sql, values),
      };
      const pipeline = new MysqlPipeline(recording, db.queries);
      pipeline.hold('START TRANSACTION', []);
      pipeline.hold(CREDIT, [1, id, 1], { expect: 1 });
      await pipeline.send('COMMIT', [], false);
      // START TRANSACTION, the guard's reset, the write, its guard, COMMIT: no rows among them.
      expect(answers).toHaveLength(1);
      const results = answers[0] as unknown[];
      expect(results).toHaveLength(5);
      expect(results.filter((r) => Array.isArray(r))).toEqual([]);
    } finally {
      await runner.release();
    }
    expect(await balance(id)).toBe(6);
  });

  it('group commit: a work whose held write fails fails alone; the others of its batch commit', async () => {
    const ids = await Promise.all([account(0), account(0), account(0)]);
    await db.dataSource.getRepository(EntryRow).insert({ id: `${ids[1]}-e`, account: ids[1], points: 0 });
    const one = new Transactor(db, { maxConcurrent: 1 });
    const results = await Promise.allSettled(
      ids.map((id) =>
        one.runGrouped(async ({ sql }) => {
          await sql.later(ENTRY, [`${id}-e`, id, 2]);
          await sql.later(CREDIT, [2, id, 2], { expect: 1 });
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await Promise.all(ids.map(balance))).toEqual([2, 0, 2]);
    expect(await Promise.all(ids.map(entries))).toEqual([1, 1, 1]);
  });
});
