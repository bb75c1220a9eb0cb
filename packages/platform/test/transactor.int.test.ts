import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Transactor, type Database } from '@loyalty/platform';
import { openTestDatabase, testConfig } from '@loyalty/testing';

@Entity({ name: 'test_notes' })
class NoteRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 50 })
  text: string;
}

describe('Transactor', () => {
  const config = testConfig();
  let db: Database;
  let transactor: Transactor;

  beforeAll(async () => {
    db = await openTestDatabase(config, [NoteRow]);
    transactor = new Transactor(db);
  });
  afterAll(() => db?.dataSource.destroy());

  it('runs after-commit effects once the rows are visible, and never after a rollback', async () => {
    const visible = async (id: string) =>
      (await transactor.read((m) => m.findOneBy(NoteRow, { id })))?.text ?? null;
    let check: Promise<string | null> | null = null;
    await transactor.run(async ({ manager, afterCommit }) => {
      await manager.insert(NoteRow, { id: 'a', text: 'committed' });
      afterCommit(() => {
        check = visible('a');
      });
      expect(check).toBeNull();
    });
    expect(check).not.toBeNull();
    expect(await check).toBe('committed');

    let ranAfterRollback = false;
    await expect(
      transactor.run(async ({ manager, afterCommit }) => {
        await manager.insert(NoteRow, { id: 'b', text: 'rolled back' });
        afterCommit(() => {
          ranAfterRollback = true;
        });
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(ranAfterRollback).toBe(false);
    expect(await visible('b')).toBeNull();
  });

  it('lets the event loop turn between queued SQLite transactions (requests are read meanwhile)', async () => {
    if (db.kind !== 'sqlite') return; // MySQL's driver yields on every statement
    const order: string[] = [];
    const works = [1, 2, 3].map((i) =>
      transactor.run(async ({ sql }) => {
        order.push(`tx${i}`);
        // A macrotask queued while the first transaction runs: an incoming request's socket read, say.
        if (i === 1) setImmediate(() => order.push('io'));
        await sql.run('INSERT INTO `test_notes` (`id`, `text`) VALUES (?, ?)', [`turn-${i}`, 'x']);
      }),
    );
    await Promise.all(works);
    // better-sqlite3 never yields: the queued transactions used to run in one task, the read after.
    expect(order).toEqual(['tx1', 'io', 'tx2', 'tx3']);
  });

  it('group commit: concurrent works share a transaction, a failing one is rolled back alone', async () => {
    const visible = async (id: string) =>
      (await transactor.read((m) => m.findOneBy(NoteRow, { id })))?.text ?? null;
    const effects: string[] = [];
    let grouped = 0;
    // One batch at a time, so every work after the first queues behind it (MySQL's default is 4).
    const transactor = new Transactor(db, { maxConcurrent: 1 });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        transactor.runGrouped(
          async ({ manager, afterCommit, group }) => {
            if (group) grouped += 1;
            await manager.insert(NoteRow, { id: `g${i}`, text: `note ${i}` });
            afterCommit(() => effects.push(`g${i}`));
            if (i === 5) throw new Error('refused');
            return i;
          },
          { key: `k${i % 3}` },
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(
      Array.from({ length: 12 }, (_, i) => (i === 5 ? 'rejected' : 'fulfilled')),
    );
    expect(await visible('g5')).toBeNull();
    for (const i of [0, 4, 6, 11]) expect(await visible(`g${i}`)).toBe(`note ${i}`);
    expect(effects.sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `g${i}`)
        .filter((id) => id !== 'g5')
        .sort(),
    );
    // Started in one tick, all twelve share batches: a batch is taken on the next microtask, so
    // the first work does not go alone while the others queue behind it.
    expect(grouped).toBe(12);
  });
});
