import { randomUUID } from 'node:crypto';
import { Column, Entity, In, MoreThanOrEqual, PrimaryColumn } from 'typeorm';
import { EntityReader, requestScope, Transactor, type Database } from '@loyalty/platform';
import { openTestDatabase, testConfig } from '@loyalty/testing';

@Entity({ name: 'test_lean_rows' })
class LeanRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  groupId: string;

  @Column({ type: 'varchar', length: 50, nullable: true })
  label: string | null;

  @Column({ type: 'int' })
  points: number;

  @Column({ type: 'bigint' })
  total: string;

  @Column({ type: 'boolean' })
  active: boolean;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  endedAt: Date | null;
}

/** EntityReader must read rows exactly as TypeORM's own `findBy` does, on both databases. */
describe('EntityReader (lean reads by key)', () => {
  const config = testConfig();
  let db: Database;
  let transactor: Transactor;
  let reader: EntityReader<LeanRow>;
  const group = randomUUID();
  const ids: string[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(config, [LeanRow]);
    transactor = new Transactor(db);
    reader = new EntityReader(transactor, LeanRow);
    const rows = Array.from({ length: 20 }, (_, i) => {
      const id = `${String(i).padStart(2, '0')}-${randomUUID()}`.slice(0, 36);
      ids.push(id);
      return {
        id,
        groupId: group,
        label: i % 3 === 0 ? null : `row ${i} "quoted" ✓`,
        points: i % 2 ? -i : i * 1000,
        total: String(2 ** 40 + i),
        active: i % 2 === 0,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 123 + (i % 4))),
        endedAt: i % 4 === 0 ? null : new Date(Date.UTC(2026, 5, 30, 23, 59, 59, 999)),
      };
    });
    await transactor.run(async ({ manager }) => {
      await manager.insert(LeanRow, rows);
    });
  });
  afterAll(() => db?.dataSource.destroy());

  const byId = (rows: LeanRow[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));

  it('hydrates every column as findBy does (nulls, booleans, big integers, dates)', async () => {
    const some = [ids[0], ids[1], ids[3], ids[4], 'missing'];
    const lean = await reader.whereIn('id', some);
    const orm = await transactor.read((m) => m.findBy(LeanRow, { id: In(some) }));
    expect(lean).toHaveLength(4);
    expect(lean.every((r) => r instanceof LeanRow)).toBe(true);
    expect(byId(lean)).toEqual(byId(orm));
    expect(typeof lean[0].active).toBe('boolean');
    expect(byId(lean)[0].createdAt).toEqual(new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 123)));
  });

  it('batches past the prepared size and sorts as asked', async () => {
    const order = [
      ['points', 'DESC'],
      ['id', 'ASC'],
    ] as const;
    const lean = await reader.whereIn('groupId', [group], { order });
    const orm = await transactor.read((m) =>
      m.find(LeanRow, { where: { groupId: group }, order: { points: 'DESC', id: 'ASC' } }),
    );
    expect(lean.map((r) => r.id)).toEqual(orm.map((r) => r.id));
    expect(lean).toEqual(orm);
    const all = await reader.whereIn('id', [...ids, ...ids.map((id) => `${id}x`)]);
    expect(byId(all)).toEqual(byId(orm));
    expect(await reader.whereIn('id', [])).toEqual([]);
    const page = await reader.whereIn('groupId', [group], { order, limit: 6 });
    expect(page).toEqual(orm.slice(0, 6));
  });

  it('filters by further conditions as TypeORM does (dates, booleans, comparisons)', async () => {
    const cut = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 125));
    const lean = await reader.where({
      where: [
        ['groupId', '=', group],
        ['active', '=', true],
        ['createdAt', '>=', cut],
      ],
      order: [['id', 'ASC']],
      limit: 3,
    });
    const orm = await transactor.read((m) =>
      m.find(LeanRow, {
        where: { groupId: group, active: true, createdAt: MoreThanOrEqual(cut) },
        order: { id: 'ASC' },
        take: 3,
      }),
    );
    expect(lean.length).toBeGreaterThan(0);
    expect(lean).toEqual(orm);
    await expect(reader.where({ where: [['points', 'OR 1=1' as never, 1]] })).rejects.toThrow(
      /bad comparison/,
    );
  });

  it('is one statement, counted like any other', async () => {
    db.queries.reset(true);
    await requestScope.run({}, () => reader.whereIn('id', ids.slice(0, 3)));
    expect(db.queries.statements).toEqual([
      expect.stringMatching(/^SELECT .* FROM .test_lean_rows. WHERE .id. IN \(\?, \?, \?\)$/),
    ]);
  });

  it('refuses an unknown column', async () => {
    await expect(reader.whereIn('nope' as never, ['a'])).rejects.toThrow(/no column nope/);
  });
});
