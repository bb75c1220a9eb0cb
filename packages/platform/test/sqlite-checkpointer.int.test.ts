import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import {
  checkpointDatabase,
  checkpointThreadOf,
  createLogger,
  openDatabase,
  registerForCheckpoints,
  SQLITE_AUTOCHECKPOINT_PAGES,
  type CheckpointReport,
  type CheckpointRegistration,
  type Database,
} from '@loyalty/platform';

/**
 * The background checkpointer on real SQLite files (whatever MYSQL_URL says: it is SQLite's).
 * Bounds are in log frames: a page plus a 24-byte frame header.
 */
describe('SQLite background checkpoints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'checkpointer-test-'));
  const logger = createLogger('test', 'silent');
  const open: Database[] = [];
  afterAll(async () => {
    await Promise.all(open.map((db) => db.dataSource.destroy()));
    rmSync(dir, { recursive: true, force: true });
  });

  let n = 0;
  async function openBlobs(intervalMs: number | null = 20): Promise<Database> {
    const file = join(dir, `db${n++}.sqlite`);
    const db = await openDatabase({
      target: { kind: 'sqlite', file, checkpointIntervalMs: intervalMs },
      entities: [],
      migrations: [],
      logger,
    });
    open.push(db);
    await db.dataSource.query('CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
    return db;
  }
  const fileOf = (db: Database) => db.checkpoints?.file ?? '';
  /** One commit of `rows` rows of 3 KB: about one page each. */
  const insert = (db: Database, rows: number) =>
    db.dataSource.query(
      `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${rows})
       INSERT INTO blobs (body) SELECT randomblob(3000) FROM c`,
    );
  const close = async (db: Database) => {
    open.splice(open.indexOf(db), 1);
    await db.dataSource.destroy();
  };
  async function reportWhere(
    reg: CheckpointRegistration,
    done: (r: CheckpointReport) => boolean,
  ): Promise<CheckpointReport> {
    let report = reg.last;
    while (!report || !done(report)) report = await reg.nextReport();
    return report;
  }
  /**
   * Waits until the checkpoint thread has copied the whole log and the file has reached `size`
   * (a log restarted by the writer meanwhile is shorter than what was written: count bytes).
   */
  const copied = (db: Database, size: number) =>
    reportWhere(
      db.checkpoints as CheckpointRegistration,
      (r) => r.checkpointed === r.log && statSync(fileOf(db)).size >= size,
    );
  const WRITTEN_200 = 200 * 3000;

  it('copies the log into the database file from another thread, below the inline threshold', async () => {
    const db = await openBlobs();
    const fileBefore = statSync(fileOf(db)).size;
    for (let i = 0; i < 20; i++) await insert(db, 50);
    // About 1,000 pages: a tenth of what makes a commit checkpoint inline, so the file grew by
    // the other thread's checkpoints alone.
    const report = await copied(db, fileBefore + 1000 * 3000);
    expect(report.log).toBeLessThan(SQLITE_AUTOCHECKPOINT_PAGES);
    const [rows] = await db.dataSource.query('SELECT count(*) AS n FROM blobs');
    expect(rows.n).toBe(1000);
  });

  it('keeps the log bounded under sustained writes', async () => {
    // At a twentieth of the real backstop, so that the log must restart many times in seconds.
    const backstopPages = 500;
    const db = await openBlobs(null);
    await db.dataSource.query(`PRAGMA wal_autocheckpoint = ${backstopPages}`);
    const file = join(dir, `db${n - 1}.sqlite`);
    const reg = registerForCheckpoints(file, { intervalMs: 20, backstopPages }, logger);
    try {
      const [{ page_size: pageSize }] = await db.dataSource.query('PRAGMA page_size');
      // Past the backstop, the log grows by what the writer appends until a checkpoint of this
      // thread ends (then the writer's own one can run): bounded by the disk's speed, so the
      // bound is generous, and far below what was written.
      const bound = 10 * backstopPages * (pageSize + 24);
      let largest = 0;
      let written = 0;
      while (written < 4 * bound) {
        await insert(db, 8);
        written += 8 * pageSize;
        largest = Math.max(largest, statSync(`${file}-wal`).size);
      }
      expect(largest).toBeGreaterThan(backstopPages * pageSize);
      expect(largest).toBeLessThan(bound);
      // Whatever the log held is in the file once the thread has caught up.
      await reportWhere(reg, (r) => r.checkpointed === r.log);
    } finally {
      await reg.close();
    }
  });

  it('checkpoints several databases at once, and a closed one no longer', async () => {
    const dbs = await Promise.all([openBlobs(), openBlobs(), openBlobs()]);
    const sizes = dbs.map((db) => statSync(fileOf(db)).size);
    for (const db of dbs) for (let i = 0; i < 5; i++) await insert(db, 40);
    await Promise.all(dbs.map((db, i) => copied(db, sizes[i] + WRITTEN_200)));
    const [closed, ...others] = dbs;
    const file = fileOf(closed);
    await close(closed);
    // The thread let go of the file first, so the main connection closed last: SQLite then
    // checkpointed and deleted the log itself, as without the thread.
    expect(existsSync(`${file}-wal`)).toBe(false);
    for (const db of others) {
      const size = statSync(fileOf(db)).size;
      for (let i = 0; i < 5; i++) await insert(db, 40);
      await copied(db, size + WRITTEN_200);
    }
  });

  it('still empties the log on demand (erasure) and can be turned off', async () => {
    const db = await openBlobs();
    for (let i = 0; i < 5; i++) await insert(db, 40);
    await checkpointDatabase(db);
    expect(statSync(`${fileOf(db)}-wal`).size).toBe(0);
    const inline = await openBlobs(null);
    expect(inline.checkpoints).toBeNull();
    await insert(inline, 10);
  });

  it('survives a database file that is gone, without creating it again', async () => {
    const lines: string[] = [];
    const capture = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const file = join(dir, 'missing', 'never.sqlite');
    const reg = registerForCheckpoints(file, { intervalMs: 5, backstopPages: 10_000 }, capture);
    const db = await openBlobs();
    const size = statSync(fileOf(db)).size;
    for (let i = 0; i < 5; i++) await insert(db, 40);
    // The thread goes on with the other file; its reports come after a failed tick here.
    await copied(db, size + WRITTEN_200);
    await reg.close();
    expect(existsSync(file)).toBe(false);
    expect(lines.some((l) => l.includes('background checkpoint failed'))).toBe(true);
  });

  it('survives the checkpoint thread dying: logged, and commits checkpoint inline again', async () => {
    const lines: string[] = [];
    const capture = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const db = await openBlobs();
    const file = fileOf(db);
    const reg = registerForCheckpoints(file, { intervalMs: 20, backstopPages: 100 }, capture);
    const thread = checkpointThreadOf(reg);
    expect(thread).not.toBeNull();
    await thread?.terminate();
    expect(lines.some((l) => l.includes('checkpoint thread stopped'))).toBe(true);
    await reg.close();
    // The main connection's own checkpoint is still on: past its backstop it copies the log.
    await db.dataSource.query('PRAGMA wal_autocheckpoint = 100');
    const before = statSync(file).size;
    for (let i = 0; i < 5; i++) await insert(db, 40);
    expect(statSync(file).size).toBeGreaterThan(before + 100 * 3000);
    // A database opened afterwards gets a new thread.
    const next = await openBlobs();
    const size = statSync(fileOf(next)).size;
    for (let i = 0; i < 5; i++) await insert(next, 40);
    await copied(next, size + WRITTEN_200);
  });
});
