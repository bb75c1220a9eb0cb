import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { dateFromSql, sqlDate, Topics } from '@loyalty/platform';
import { serviceSql, testConfig, useService } from '@loyalty/testing';
import { ExpiryService } from '../src/expiry/expiry.service';
import * as q from '../src/expiry/expiry.sql';
import { ledgerService } from '../src/service';

/**
 * The set-based expiry sweep on a real database: exact entries, balances, sequences and events;
 * all-or-nothing per batch when interrupted, and a re-run never writes a lot off twice; a fixed
 * number of statements whatever the number of members and lots.
 */
describe('expiry sweep (real database)', () => {
  const config = testConfig({ EXPIRY_SWEEP_INTERVAL: 'PT1H' });
  const running = useService(ledgerService, config);

  const { query, mysql } = serviceSql(running);
  const sweeper = (memberBatch = 1000) => new ExpiryService(running().runtime.transactor, memberBatch);
  const later = (ms: number) => new Date(Date.now() + ms);
  const credit = (memberId: string, points: number, validity: string, kind = 'REGULAR') =>
    running().app.ledger.credits.credit(
      { idempotencyKey: randomUUID(), memberId, kind, points, reason: 'sweep', validity },
      'service:test',
    );
  const members = async (n: number) => {
    const ids = Array.from({ length: n }, () => randomUUID());
    for (const id of ids) await running().app.accounts.remember(id);
    return ids;
  };
  const expireEntries = (memberId: string) =>
    query<{ lotId: string; sequence: number; kind: string; points: number; balanceAfter: number }>(
      "SELECT lotId, sequence, kind, points, balanceAfter FROM ledger_entries WHERE memberId = ? AND type = 'EXPIRE' ORDER BY sequence",
      [memberId],
    );
  const expireEvents = async (memberId: string) =>
    (
      await query<{ payload: string }>(
        'SELECT payload FROM outbox_events WHERE topic = ? AND eventKey = ? ORDER BY position',
        [Topics.balanceChanged, memberId],
      )
    )
      .map(
        (r) =>
          JSON.parse(r.payload) as { entryType: string; sequence: number; balance: number; delta: number },
      )
      .filter((p) => p.entryType === 'EXPIRE');
  const problems = async () => (await running().app.queries.check()).problems;

  it('writes off each due lot in expiry order, numbered per member, with the running balance per kind', async () => {
    const [m] = await members(1);
    const a = await credit(m, 10, 'PT1M');
    const b = await credit(m, 5, 'PT2M', 'GREEN');
    const c = await credit(m, 7, 'PT30S');
    await credit(m, 100, 'P1D');
    expect(await sweeper().expireDue(later(3 * 60_000))).toBe(3);
    const lotOf = async (entryId: string) =>
      (await query<{ id: string }>('SELECT id FROM ledger_lots WHERE entryId = ?', [entryId]))[0].id;
    expect(await expireEntries(m)).toEqual([
      { lotId: await lotOf(c.id), sequence: 5, kind: 'REGULAR', points: -7, balanceAfter: 110 },
      { lotId: await lotOf(a.id), sequence: 6, kind: 'REGULAR', points: -10, balanceAfter: 100 },
      { lotId: await lotOf(b.id), sequence: 7, kind: 'GREEN', points: -5, balanceAfter: 0 },
    ]);
    expect((await expireEvents(m)).map((e) => [e.sequence, e.delta, e.balance])).toEqual([
      [5, -7, 110],
      [6, -10, 100],
      [7, -5, 0],
    ]);
    const accounts = await query<{ kind: string; balance: number }>(
      'SELECT kind, balance FROM ledger_accounts WHERE memberId = ? ORDER BY kind',
      [m],
    );
    expect(accounts.map((x) => [x.kind, Number(x.balance)])).toEqual([
      ['GREEN', 0],
      ['REGULAR', 100],
    ]);
    // Nothing left to do: a second sweep at the same time writes nothing.
    expect(await sweeper().expireDue(later(3 * 60_000))).toBe(0);
    expect(await expireEntries(m)).toHaveLength(3);
    expect(await problems()).toEqual([]);
  });

  it('property: the set-based sweep writes what a loop over the due lots would', async () => {
    const lotArb = fc.record({
      m: fc.nat(2),
      points: fc.integer({ min: 1, max: 500 }),
      kind: fc.constantFrom('REGULAR', 'GREEN'),
      validity: fc.constantFrom('PT1S', 'PT2S', 'P1D', 'NEVER'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(lotArb, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 3 }),
        async (specs, batch) => {
          const ids = await members(3);
          for (const l of specs) await credit(ids[l.m], l.points, l.validity, l.kind);
          const at = later(5_000);
          // The loop the SQL replaces: due lots in expiry then lot-id order, numbered on per member,
          // running balance per kind.
          const lots = await query<{
            id: string;
            memberId: string;
            kind: string;
            remaining: number;
            expiresAt: string | Date | null;
          }>(
            `SELECT id, memberId, kind, remaining, expiresAt FROM ledger_lots WHERE memberId IN (?, ?, ?)`,
            ids,
          );
          const time = (v: string | Date) => dateFromSql(v)!.getTime();
          const due = lots
            .filter((l) => l.expiresAt !== null && time(l.expiresAt) <= at.getTime() && l.remaining > 0)
            .sort((a, b) => time(a.expiresAt!) - time(b.expiresAt!) || (a.id < b.id ? -1 : 1));
          const expected = new Map<string, unknown[]>();
          for (const id of ids) {
            const balance = new Map<string, number>();
            for (const l of lots.filter((x) => x.memberId === id))
              balance.set(l.kind, (balance.get(l.kind) ?? 0) + l.remaining);
            let sequence = specs.filter((l) => ids[l.m] === id).length;
            expected.set(
              id,
              due
                .filter((l) => l.memberId === id)
                .map((l) => {
                  balance.set(l.kind, balance.get(l.kind)! - l.remaining);
                  sequence += 1;
                  return {
                    lotId: l.id,
                    sequence,
                    kind: l.kind,
                    points: -l.remaining,
                    balanceAfter: balance.get(l.kind),
                  };
                }),
            );
          }
          expect(await sweeper(batch).expireDue(at)).toBe(due.length);
          for (const id of ids) {
            const entries = (await expireEntries(id)).map((e) => ({ ...e, sequence: Number(e.sequence) }));
            expect(entries).toEqual(expected.get(id));
          }
        },
      ),
      { numRuns: 8 },
    );
    expect(await problems()).toEqual([]);
  }, 60_000);

  it('an interrupted sweep leaves each batch written off or untouched; re-run, no lot is written off twice', async () => {
    const ids = await members(6);
    for (const id of ids) for (let j = 0; j < 4; j += 1) await credit(id, 1 + j, 'PT1S');
    const victim = ids[3];
    // The last step of the victim's batch fails: entries, moves and events are already written.
    const trigger = mysql()
      ? `CREATE TRIGGER crash_expiry BEFORE UPDATE ON ledger_lots FOR EACH ROW BEGIN IF NEW.remaining = 0 AND OLD.memberId = '${victim}' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'sweep crashed'; END IF; END`
      : `CREATE TRIGGER crash_expiry BEFORE UPDATE OF remaining ON ledger_lots WHEN NEW.remaining = 0 AND OLD.memberId = '${victim}' BEGIN SELECT RAISE(ABORT, 'sweep crashed'); END`;
    await query(trigger);
    const at = later(5_000);
    try {
      // Not `rejects.toThrow`: better-sqlite3's error class may come from another test file's realm.
      const failure = await sweeper(2)
        .expireDue(at)
        .then(
          () => 'no failure',
          (e: unknown) => String((e as Error).message),
        );
      expect(failure).toMatch(/sweep crashed/);
    } finally {
      await query('DROP TRIGGER crash_expiry');
    }
    const written = await Promise.all(ids.map(async (id) => (await expireEntries(id)).length));
    // Per member all (4) or nothing; the victim's batch rolled back whole.
    expect(written.every((n) => n === 0 || n === 4)).toBe(true);
    expect(written[3]).toBe(0);
    expect(await expireEvents(victim)).toEqual([]);
    expect(await problems()).toEqual([]);

    // The re-run (on a connection that may hold the failed attempt's stage) finishes the rest.
    const rest = await sweeper(2).expireDue(at);
    expect(rest).toBe(written.filter((n) => n === 0).length * 4);
    expect(await sweeper(2).expireDue(at)).toBe(0);
    for (const id of ids) {
      const entries = await expireEntries(id);
      expect(entries).toHaveLength(4);
      expect(new Set(entries.map((e) => e.lotId)).size).toBe(4);
      expect(await expireEvents(id)).toHaveLength(4);
    }
    expect(await problems()).toEqual([]);
  });

  it('finds the members with lots due without reading the lots already written off', async () => {
    // History: 240 lots written off. Then 2 members with 3 lots due each.
    const old = await members(4);
    for (const id of old) for (let j = 0; j < 60; j += 1) await credit(id, 1, 'PT1S');
    expect(await sweeper().expireDue(later(5_000))).toBe(240);
    const due = await members(2);
    for (const id of due) for (let j = 0; j < 3; j += 1) await credit(id, 1, 'PT1S');
    const at = later(5_000);
    const [{ n: expired }] = await query<{ n: number }>(
      'SELECT COUNT(*) AS n FROM ledger_lots WHERE remaining = 0 AND expiresAt <= ?',
      [sqlDate(at)],
    );
    expect(Number(expired)).toBeGreaterThanOrEqual(240);
    const search = q.candidates(1000, mysql());
    // One connection, so the session's counters are the search's.
    const runner = running().runtime.db.dataSource.createQueryRunner();
    try {
      if (mysql()) {
        // Rows examined: index and table reads, and index entries filtered by a pushed-down
        // condition (`Handler_icp_attempts`, which `Handler_read_next` does not count).
        const examined = async () => {
          const status = (await runner.query(
            "SHOW SESSION STATUS WHERE Variable_name LIKE 'Handler_read%' OR Variable_name = 'Handler_icp_attempts'",
          )) as { Value: string }[];
          return status.reduce((sum, r) => sum + Number(r.Value), 0);
        };
        const before = await examined();
        const found = (await runner.query(search, [sqlDate(at)])) as { memberId: string }[];
        const read = (await examined()) - before;
        expect(found.map((r) => r.memberId).sort()).toEqual([...due].sort());
        // The 6 due lots, the index probe and the DISTINCT's temporary table: not the history.
        expect(read).toBeLessThanOrEqual(6 + 8);
      } else {
        const found = (await runner.query(search, [sqlDate(at)])) as { memberId: string }[];
        expect(found.map((r) => r.memberId).sort()).toEqual([...due].sort());
        const plan = (await runner.query(`EXPLAIN QUERY PLAN ${search}`, [sqlDate(at)])) as {
          detail: string;
        }[];
        expect(plan.map((p) => p.detail).join('; ')).toMatch(/USING COVERING INDEX ix_lots_due/);
      }
    } finally {
      await runner.release();
    }
    expect(await sweeper().expireDue(at)).toBe(6);
  });

  it('runs the same statements for 2 members as for 40, whatever their lots', async () => {
    const statementsFor = async (n: number, lots: number) => {
      const ids = await members(n);
      for (const id of ids) for (let j = 0; j < lots; j += 1) await credit(id, 1, 'PT1S');
      await running().relay.stop();
      try {
        running().runtime.db.queries.reset();
        expect(await sweeper().expireDue(later(5_000))).toBe(n * lots);
        return running().runtime.db.queries.roundTrips;
      } finally {
        running().relay.start();
      }
    };
    const small = await statementsFor(2, 1);
    expect(await statementsFor(40, 5)).toBe(small);
    // Claim (2), stage (3), entries, moves, events, balances, sequences, lots, drop; one more
    // claim to find nothing; transaction control around both.
    expect(small).toBeLessThanOrEqual(20);
  });
});
