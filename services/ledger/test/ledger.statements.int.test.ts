import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { requestScope, sqlDate, type PlatformConfig } from '@loyalty/platform';
import { testConfig, useService } from '@loyalty/testing';
import { EntryType } from '../src/entries/entry.entity';
import { MAX_POINTS } from '../src/ledger/ledger.rules';
import { balanceChangedEvent, MemberPosting } from '../src/ledger/posting';
import { ledgerService } from '../src/service';

/** A ledger started for a suite, with earns (10 points unless told) and members it knows. */
function ledgerFor(config: PlatformConfig) {
  const running = useService(ledgerService, config);
  const earn = (memberId: string, key = randomUUID(), kind = 'REGULAR', points = 10) =>
    running().app.ledger.credits.credit(
      { idempotencyKey: key, memberId, kind, points, reason: 'count', merchantId: 'shop' },
      'service:test',
    );
  const members = async (n: number) => {
    const ids = Array.from({ length: n }, () => randomUUID());
    for (const id of ids) await running().app.accounts.remember(id);
    return ids;
  };
  /**
   * Runs `work` while another transaction holds the rows `lockSql` locks (MySQL). Were `work` to
   * lock one of them too, it would wait for the holder: a deadline (not a pause: `work` answers at
   * once otherwise) turns that into a failure instead of a 50 s lock wait.
   */
  const whileHeld = async <T>(lockSql: string, params: unknown[], work: () => Promise<T>) => {
    const holder = running().runtime.db.dataSource.createQueryRunner();
    await holder.startTransaction();
    try {
      await holder.query(lockSql, params);
      let deadline: NodeJS.Timeout | undefined;
      return await Promise.race([
        work(),
        new Promise<'still waiting'>(
          (resolve) => (deadline = setTimeout(() => resolve('still waiting'), 5_000)),
        ),
      ]).finally(() => clearTimeout(deadline));
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
  };
  return { running, earn, members, whileHeld };
}

/**
 * What one earn costs the database, counted by the data source's query counter: a regression in
 * round trips fails here, not only in `pnpm bench`.
 */
describe('SQL statements per earn (real database)', () => {
  const config = testConfig({ EXPIRY_SWEEP_INTERVAL: 'PT1H' });
  const { running, earn, members, whileHeld } = ledgerFor(config);
  const mysql = Boolean(process.env.MYSQL_URL);

  it('one earn: key, lock, entry, lot, balance and sequence, event, in one transaction', async () => {
    const [member] = await members(1);
    await earn(member);
    await running().relay.flush();
    // Paused, so that only the write's own round trips are counted.
    await running().relay.stop();
    const { queries } = running().runtime.db;
    queries.reset(true);
    await requestScope.run({}, () => earn(member));
    running().relay.start();
    // INSERT key, SELECT … JOIN … FOR UPDATE, INSERT lot, INSERT entry, UPDATE (members and
    // account in one multi-table statement on MySQL, two on SQLite), INSERT outbox event.
    expect(queries.statements).toEqual([
      expect.stringMatching(/^INSERT INTO `ledger_idempotency`/),
      expect.stringMatching(/^SELECT .* FROM `ledger_members` s LEFT JOIN `ledger_accounts`/),
      expect.stringMatching(/^INSERT INTO `ledger_lots`/),
      expect.stringMatching(/^INSERT INTO `ledger_entries`/),
      ...(mysql
        ? [expect.stringMatching(/^UPDATE `ledger_members` s JOIN `ledger_accounts` a/)]
        : [
            expect.stringMatching(/^UPDATE `ledger_accounts`/),
            expect.stringMatching(/^UPDATE `ledger_members`/),
          ]),
      expect.stringMatching(/^INSERT INTO `outbox_events`/),
    ]);
    // The same plus BEGIN and COMMIT: the round trips of the write itself. On MySQL two: BEGIN,
    // key and lock in one text, the writes and COMMIT in the other (Sql.later).
    expect(queries.roundTrips).toBe(mysql ? 2 : queries.total + 2);
  });

  it('a lone earn answers with the sequence and balance it stored, and its event says the same', async () => {
    const [member] = await members(1);
    await earn(member);
    const entry = await earn(member);
    const { db } = running().runtime;
    const [stored] = (await db.dataSource.query(
      'SELECT `sequence`, `balanceAfter` FROM `ledger_entries` WHERE `id` = ?',
      [entry.id],
    )) as { sequence: number; balanceAfter: number }[];
    expect(entry).toMatchObject({ sequence: 2, balanceAfter: 20 });
    expect(stored).toEqual({ sequence: 2, balanceAfter: 20 });
    const [event] = (await db.dataSource.query(
      "SELECT `payload` FROM `outbox_events` WHERE `eventKey` = ? AND `topic` = 'balance.changed' ORDER BY `position` DESC LIMIT 1",
      [member],
    )) as { payload: string }[];
    expect(event.payload).toBe(JSON.stringify(balanceChangedEvent(entry).payload));
    expect(JSON.parse(event.payload)).toMatchObject({
      entryId: entry.id,
      balance: 20,
      sequence: 2,
      delta: 10,
    });
  });

  it('a credit to an account that does not exist yet creates it', async () => {
    const memberId = randomUUID();
    // A member known before accounts were created up front: its stream row only.
    await running().runtime.db.dataSource.query(
      'INSERT INTO `ledger_members` (`memberId`, `lastSequence`, `createdAt`) VALUES (?, 0, ?)',
      [memberId, sqlDate(new Date())],
    );
    expect(await earn(memberId, randomUUID(), 'GREEN')).toMatchObject({ sequence: 1, balanceAfter: 10 });
    expect(await earn(memberId, randomUUID(), 'GREEN')).toMatchObject({ sequence: 2, balanceAfter: 20 });
    expect((await running().app.queries.check()).problems).toEqual([]);
  });

  it('a credit that would take a balance past MAX_POINTS is BAD_USER_INPUT and writes nothing', async () => {
    const [member] = await members(1);
    const credit = (points: number) => earn(member, randomUUID(), 'REGULAR', points);
    await credit(MAX_POINTS - 5);
    await expect(credit(10)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(await credit(5)).toMatchObject({ sequence: 2, balanceAfter: MAX_POINTS });
    const [{ n }] = (await running().runtime.db.dataSource.query(
      'SELECT COUNT(*) AS `n` FROM `ledger_entries` WHERE `memberId` = ?',
      [member],
    )) as { n: number | string }[];
    expect(Number(n)).toBe(2);
  });

  it('earns key entries, lots and events by ids that grow with time (right-edge appends, not random pages)', async () => {
    const ids = await members(3);
    const entries = [];
    for (const id of ids) entries.push(await earn(id));
    const ds = running().runtime.db.dataSource;
    const inOrder = (xs: string[]) => expect([...xs].sort()).toEqual(xs);
    inOrder(entries.map((e) => e.id));
    inOrder(entries.map((e) => e.lotId!));
    const events = (await ds.query(
      'SELECT `eventId` FROM `outbox_events` ORDER BY `position` DESC LIMIT 3',
    )) as { eventId: string }[];
    inOrder(events.map((e) => e.eventId).reverse());
    if (!mysql) {
      // The commit-side checkpoint (a backstop to the checkpoint thread) at 40,000 pages of log, not
      // SQLite's 1,000: data-source.ts gives the measurements.
      const [pragma] = (await ds.query('PRAGMA wal_autocheckpoint')) as { wal_autocheckpoint: number }[];
      expect(pragma.wal_autocheckpoint).toBe(40_000);
    }
  });

  it('a replay stops at the key: no lock, no write', async () => {
    const [member] = await members(1);
    const key = randomUUID();
    const first = await earn(member, key);
    await running().relay.flush();
    const { queries } = running().runtime.db;
    queries.reset(true);
    if (!mysql) {
      const again = await requestScope.run({}, () => earn(member, key));
      expect(again.id).toBe(first.id);
      expect(queries.statements.some((s) => /FOR UPDATE|^UPDATE|INTO `ledger_entries`/.test(s))).toBe(false);
      return;
    }
    // MySQL sends the lock in the key's text, and the server stops at the key: the replay answers
    // while another transaction holds the member's lock (were it taken, it would wait for it).
    const again = await whileHeld(
      'SELECT `memberId` FROM `ledger_members` WHERE `memberId` = ? FOR UPDATE',
      [member],
      () => requestScope.run({}, () => earn(member, key)),
    );
    expect(again).toMatchObject({ id: first.id });
    expect(queries.statements.some((s) => /^UPDATE|INTO `ledger_entries`/.test(s))).toBe(false);
  });

  // The lock reads only the accounts a write posts to: on MySQL each is a row the server finds,
  // locks and sends. Every write of a member locks the member's row first, so the other kinds'
  // rows need no lock of their own.
  (mysql ? it : it.skip)("a lone earn locks its own kind's account, not the member's others", async () => {
    const [member] = await members(1);
    await earn(member, randomUUID(), 'GREEN');
    await running().relay.flush();
    const answer = await whileHeld(
      "SELECT `balance` FROM `ledger_accounts` WHERE `memberId` = ? AND `kind` = 'GREEN' FOR UPDATE",
      [member],
      () => earn(member),
    );
    expect(answer).toMatchObject({ kind: 'REGULAR', balanceAfter: 10, sequence: 2 });
  });

  it('a posting opened for one kind refuses to post another (its balance was not read)', async () => {
    const [member] = await members(1);
    const { runtime } = running();
    await expect(
      runtime.transactor.run(async (uow) => {
        const posting = await MemberPosting.open(uow, member, new Date(), 'service:test', {
          kinds: ['REGULAR'],
        });
        posting.post({ kind: 'GREEN', type: EntryType.EARN, points: 1, description: 'wrong kind' });
      }),
    ).rejects.toThrow(/opened for REGULAR cannot post GREEN/);
  });

  it('concurrent earns share commits: at most 8 round trips per earn, outbox relay included', async () => {
    const ids = await members(32);
    await Promise.all(ids.map((id) => earn(id)));
    await running().relay.flush();
    const { queries } = running().runtime.db;
    queries.reset();
    const n = 64;
    await Promise.all(Array.from({ length: n }, (_, i) => earn(ids[i % ids.length])));
    await running().relay.flush();
    expect(queries.roundTrips / n).toBeLessThanOrEqual(8);
    const check = await running().app.queries.check();
    expect(check.problems).toEqual([]);
  });
});

/**
 * What one earn's COMMIT costs SQLite: every page it dirtied becomes a frame of the write-ahead
 * log (two writes each), and at one writer the commit is the largest part of an earn. The pages
 * are one per B-tree the earn touches: the key (table and its primary key), the entry (table,
 * primary key, four indexes), the lot (table, primary key, five indexes), the balance, the
 * sequence, the event (table, two indexes) and the outbox's AUTOINCREMENT counter. An index more
 * on entries or lots costs every earn a page, and fails here.
 */
(process.env.MYSQL_URL ? describe.skip : describe)('log pages per earn (SQLite)', () => {
  // No checkpoint while counting: the log only grows, frame by frame.
  const config = testConfig({ EXPIRY_SWEEP_INTERVAL: 'PT1H', SQLITE_CHECKPOINT_INTERVAL: 'NEVER' });
  const { running, earn, members } = ledgerFor(config);

  it('a lone earn writes 21 pages; 16 concurrent earns share theirs in one commit', async () => {
    const target = config.database('ledger');
    if (target.kind !== 'sqlite') throw new Error('expected SQLite');
    const [{ page_size: pageSize }] = (await running().runtime.db.dataSource.query('PRAGMA page_size')) as {
      page_size: number;
    }[];
    // A frame: a 24-byte header and the page.
    const frames = () => statSync(`${target.file}-wal`).size / (pageSize + 24);
    const ids = await members(32);
    for (const id of ids) await earn(id);
    await running().relay.flush();
    await running().relay.stop();
    try {
      const lone: number[] = [];
      for (const id of ids.slice(0, 5)) {
        const before = frames();
        await earn(id);
        lone.push(frames() - before);
      }
      // The median: a page split now and then dirties a page or two more.
      expect([...lone].sort((a, b) => a - b)[2]).toBe(21);
      const before = frames();
      await Promise.all(ids.slice(0, 16).map((id) => earn(id)));
      expect(frames() - before).toBeLessThan(3 * 21);
    } finally {
      running().relay.start();
    }
  });
});
