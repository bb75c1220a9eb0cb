import { randomUUID } from 'node:crypto';
import { addDuration, requireDuration, sqlDate } from '@loyalty/platform';
import { serviceSql, testConfig, useService } from '@loyalty/testing';
import type { Lead } from '../src/expiry/expiry.rules';
import * as q from '../src/expiry/expiry.sql';
import { WarningRow } from '../src/expiry/warning.entity';
import { lotsToWarn } from '../src/expiry/warning.service';
import { DropLotsExpires1700000002500 } from '../src/migrations/1700000002500-DropLotsExpires';
import { LotRow } from '../src/lots/lot.entity';
import { ledgerService } from '../src/service';

/**
 * The expiry warnings' search for lots on a real database: the lots with points left, expiring
 * within the lead, not yet warned, soonest first; found through `ix_lots_due`, the index of the
 * lots with points left, now that `ix_lots_expires` (all lots by expiry) is gone.
 */
describe('expiry warnings search (real database)', () => {
  const config = testConfig({ EXPIRY_SWEEP_INTERVAL: 'PT1H' });
  const running = useService(ledgerService, config);

  const { query, mysql } = serviceSql(running);
  const lead: Lead = { text: 'P1D', duration: requireDuration('P1D') };
  const credit = (memberId: string, points: number, validity: string) =>
    running().app.ledger.credits.credit(
      { idempotencyKey: randomUUID(), memberId, kind: 'REGULAR', points, reason: 'warnings', validity },
      'service:test',
    );
  const hold = (memberId: string, points: number) =>
    running().app.ledger.holds.hold(
      { idempotencyKey: randomUUID(), memberId, kind: 'REGULAR', points, reason: 'warnings' },
      'service:test',
    );
  const member = async () => {
    const id = randomUUID();
    await running().app.accounts.remember(id);
    return id;
  };
  const lotOf = async (entryId: string) =>
    (await query<{ id: string }>('SELECT id FROM ledger_lots WHERE entryId = ?', [entryId]))[0].id;
  const search = (now: Date, limit = 1000) =>
    running().runtime.transactor.autocommit((sql) => lotsToWarn(sql, lead, now, limit));

  const lotIndexes = async () =>
    mysql()
      ? [
          ...new Set(
            (await query<{ Key_name: string }>('SHOW INDEX FROM `ledger_lots`')).map((r) => r.Key_name),
          ),
        ]
      : (
          await query<{ name: string }>(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger_lots'",
          )
        ).map((r) => r.name);

  it('leaves ledger_lots without ix_lots_expires after the migrations, with ix_lots_due', async () => {
    const names = await lotIndexes();
    expect(names).toContain('ix_lots_due');
    expect(names).not.toContain('ix_lots_expires');
    // Down recreates it, up drops it again.
    const migration = new DropLotsExpires1700000002500();
    const runner = running().runtime.db.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      expect(await lotIndexes()).toContain('ix_lots_expires');
      await migration.up(runner);
      expect(await lotIndexes()).toEqual(names);
    } finally {
      await runner.release();
    }
  });

  it('finds the lots with points left expiring within the lead, not yet warned, soonest first', async () => {
    const m = await member();
    const other = await member();
    const in3h = await credit(m, 10, 'PT3H');
    const in1h = await credit(m, 5, 'PT1H');
    const in2h = await credit(m, 7, 'PT2H');
    const otherIn90m = await credit(other, 4, 'PT90M');
    await credit(m, 3, 'P2D'); // beyond the lead
    await credit(m, 2, 'NEVER');
    const warned = await credit(other, 6, 'PT4H');
    // The soonest lot spent to 0 by a hold: no points left, no warning.
    await hold(m, 5);
    const gone = await credit(m, 1, 'PT1S'); // expired by `now` below, not yet swept
    expect(
      (
        await query<{ remaining: number }>('SELECT remaining FROM ledger_lots WHERE id = ?', [
          await lotOf(in1h.id),
        ])
      )[0].remaining,
    ).toBe(0);
    const now = new Date(Date.now() + 5_000);
    const warnedLot = await running().runtime.db.dataSource.manager.findOneByOrFail(LotRow, {
      id: await lotOf(warned.id),
    });
    await running().runtime.db.dataSource.manager.insert(WarningRow, {
      id: randomUUID(),
      lotId: warnedLot.id,
      memberId: other,
      kind: 'REGULAR',
      lead: lead.text,
      points: 6,
      expiresAt: warnedLot.expiresAt!,
      daysLeft: 0,
      status: 'SENT',
      createdAt: now,
    });
    const found = (await search(now)).filter((l) => l.memberId === m || l.memberId === other);
    expect(found.map((l) => [l.id, l.remaining])).toEqual([
      [await lotOf(otherIn90m.id), 4],
      [await lotOf(in2h.id), 7],
      [await lotOf(in3h.id), 10],
    ]);
    expect(found.map((l) => l.id)).not.toContain(await lotOf(gone.id));
    // Each lot as the entity reads it (dates as Dates, integers as numbers).
    const { id, memberId, kind, remaining, earnedAt, expiresAt, merchantId } =
      await running().runtime.db.dataSource.manager.findOneByOrFail(LotRow, { id: found[0].id });
    expect(found[0]).toEqual({ id, memberId, kind, remaining, earnedAt, expiresAt, merchantId });
    // The limit cuts at the soonest (this file's lots are all in this test so far).
    expect((await search(now, 2)).map((l) => l.id)).toEqual([
      await lotOf(otherIn90m.id),
      await lotOf(in2h.id),
    ]);
  });

  it('searches ix_lots_due, in expiry order, without a scan or a sort', async () => {
    // Lots spent to 0 ahead of the due ones, which an index of all lots by expiry would hold.
    const due: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const m = await member();
      due.push(m);
      for (let j = 0; j < 20; j += 1) await credit(m, 1, 'PT30M');
      await hold(m, 20);
      await credit(m, 1, 'PT2H');
    }
    const now = new Date();
    const sql = q.warnable(1000, mysql());
    const params = [sqlDate(now), sqlDate(addDuration(now, lead.duration)), lead.text];
    if (mysql()) {
      const plan = await query<{ table: string; type: string; key: string | null; Extra: string | null }>(
        `EXPLAIN ${sql}`,
        params,
      );
      const lots = plan.find((p) => p.table === 'l');
      expect(lots).toMatchObject({ key: 'ix_lots_due', type: 'range' });
      expect(lots?.Extra ?? '').not.toMatch(/filesort/);
      // Rows examined, on one connection so that the session's counters are the search's: index
      // and table reads, and index entries filtered by a pushed-down condition.
      const runner = running().runtime.db.dataSource.createQueryRunner();
      try {
        const examined = async () => {
          const status = (await runner.query(
            "SHOW SESSION STATUS WHERE Variable_name LIKE 'Handler_read%' OR Variable_name = 'Handler_icp_attempts'",
          )) as { Value: string }[];
          return status.reduce((sum, r) => sum + Number(r.Value), 0);
        };
        const before = await examined();
        const found = (await runner.query(sql, params)) as { memberId: string }[];
        const read = (await examined()) - before;
        expect(found.map((r) => r.memberId)).toEqual(expect.arrayContaining(due));
        // A few reads per lot with points left in the range (index entry, row, warning probe):
        // about 30 here, not the 100 lots spent to 0 within the lead.
        expect(read).toBeLessThan(100);
      } finally {
        await runner.release();
      }
    } else {
      const plan = (await query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params))
        .map((p) => p.detail)
        .join('; ');
      expect(plan).toMatch(/SEARCH l USING INDEX ix_lots_due \(expiresAt>\? AND expiresAt<\?\)/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
  });
});
