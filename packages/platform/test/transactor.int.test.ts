import { Column, Entity, PrimaryColumn } from 'typeorm';
import { createLogger, openDatabase, Transactor, type Database } from '@loyalty/platform';
import { testConfig } from '@loyalty/testing';

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
    db = await openDatabase({
      target: config.database('members'),
      entities: [NoteRow],
      migrations: [],
      synchronize: true,
      logger: createLogger('test', 'silent'),
    });
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
});
