import {
  createLogger,
  InProcessTransport,
  openDatabase,
  OutboxEventRow,
  OutboxRelay,
  Topics,
  Transactor,
  type Database,
  type EventEnvelope,
} from '@loyalty/platform';
import { CreatePlatformTables1700000000000 } from '@loyalty/platform';
import { eventually, testConfig } from '@loyalty/testing';

const logger = createLogger('test', 'silent');

const erased = (n: number) => ({
  topic: Topics.memberErased,
  key: `k${n}`,
  payload: { memberId: String(n), erasedAt: new Date(0).toISOString() },
});

/**
 * The relay's fast path: the rows a commit wrote through `publish` are published from memory and
 * marked in one statement, with no claim and no empty re-poll; rows written in SQL
 * (`eventsCommitted`) still go through the poll.
 */
describe('outbox relay fast path (real database)', () => {
  const config = testConfig();
  const mysql = Boolean(process.env.MYSQL_URL);
  let db: Database;
  let relay: OutboxRelay;
  let tx: Transactor;
  const received: EventEnvelope[] = [];

  beforeAll(async () => {
    db = await openDatabase({
      target: config.database('members'),
      entities: [OutboxEventRow],
      migrations: [CreatePlatformTables1700000000000],
      logger,
    });
    tx = new Transactor(db);
    const transport = new InProcessTransport();
    await transport.listen(Topics.memberErased, (event) => {
      received.push(event);
    });
    relay = new OutboxRelay(db, tx, transport, logger, { source: 'test', pollIntervalMs: 60_000 });
    relay.start();
    await relay.flush();
  });

  afterAll(async () => {
    await relay?.stop();
    await db?.dataSource.destroy();
  });

  const unpublished = () =>
    db.dataSource
      .getRepository(OutboxEventRow)
      .createQueryBuilder('o')
      .where('o.publishedAt IS NULL')
      .getCount();

  it('publishes a commit’s events from memory, in order, and marks them in one statement', async () => {
    db.queries.reset();
    await tx.run(({ publish }) => publish(...Array.from({ length: 10 }, (_, n) => erased(n))));
    await eventually(async () => received.length >= 10);
    // Waits for the pass in progress, then polls once (the poll is what flush adds).
    await relay.flush();
    // BEGIN, INSERT, COMMIT (on MySQL in one round trip: nothing waits for the first two); the
    // mark (one UPDATE, before the poll); flush's poll: START, SELECT, COMMIT on MySQL, one SELECT
    // on SQLite. The old relay claimed (START, SELECT, UPDATE, COMMIT) instead.
    expect(db.queries.roundTrips).toBe((mysql ? 1 : 3) + 1 + (mysql ? 3 : 1));
    expect(received.map((e) => e.payload)).toEqual(Array.from({ length: 10 }, (_, n) => erased(n).payload));
    expect(await unpublished()).toBe(0);
  });

  it('still polls for rows written in SQL', async () => {
    received.length = 0;
    await tx.run(async ({ sql, afterCommit }) => {
      await sql.run(
        'INSERT INTO `outbox_events` (`eventId`, `topic`, `eventKey`, `payload`, `occurredAt`) VALUES (?, ?, ?, ?, ?)',
        [
          '11111111-1111-4111-8111-111111111111',
          Topics.memberErased,
          'k',
          JSON.stringify(erased(1).payload),
          new Date(),
        ],
      );
      afterCommit(() => tx.eventsCommitted());
    });
    await eventually(async () => received.length >= 1);
    await tx.run(({ publish }) => publish(erased(2)));
    await eventually(async () => received.length >= 2);
    await relay.flush();
    expect(received.map((e) => e.payload)).toEqual([erased(1).payload, erased(2).payload]);
    expect(await unpublished()).toBe(0);
  });

  it('a periodic poll leaves rows younger than an interval to the replica that wrote them', async () => {
    await relay.stop();
    received.length = 0;
    const insert = (eventId: string, n: number, occurredAt: Date) =>
      tx.run(({ sql }) =>
        sql.run(
          'INSERT INTO `outbox_events` (`eventId`, `topic`, `eventKey`, `payload`, `occurredAt`) VALUES (?, ?, ?, ?, ?)',
          [eventId, Topics.memberErased, 'k', JSON.stringify(erased(n).payload), occurredAt],
        ),
      );
    const periodicTx = new Transactor(db);
    const transport = new InProcessTransport();
    await transport.listen(Topics.memberErased, (event) => {
      received.push(event);
    });
    const periodic = new OutboxRelay(db, periodicTx, transport, logger, {
      source: 'test',
      pollIntervalMs: 100,
    });
    periodic.start();
    await periodic.flush();
    // Written (by another replica, say) after the start-up poll, never handed to this relay.
    await insert('22222222-2222-4222-8222-222222222222', 3, new Date(Date.now() + 3_600_000));
    await insert('33333333-3333-4333-8333-333333333333', 4, new Date(Date.now() - 3_600_000));
    await eventually(async () => received.length >= 1);
    expect(received.map((e) => e.payload)).toEqual([erased(4).payload]);
    // A requested poll (flush, eventsCommitted, start) takes every row.
    await periodic.flush();
    expect(received.map((e) => e.payload)).toEqual([erased(4).payload, erased(3).payload]);
    await periodic.stop();
    expect(await unpublished()).toBe(0);
  });

  it('marks what a run of lone commits published together, not once per commit', async () => {
    received.length = 0;
    const transport = new InProcessTransport();
    await transport.listen(Topics.memberErased, (event) => {
      received.push(event);
    });
    const lazyTx = new Transactor(db);
    const lazy = new OutboxRelay(db, lazyTx, transport, logger, {
      source: 'test',
      pollIntervalMs: 600_000,
      markDelayMs: 300_000,
    });
    lazy.start();
    await lazy.flush();
    db.queries.reset();
    for (let n = 0; n < 5; n += 1) {
      await lazyTx.run(({ publish }) => publish(erased(n)));
      await eventually(async () => received.length > n);
    }
    // Published one by one as each commit came (BEGIN, INSERT, COMMIT each; one round trip on
    // MySQL), none marked yet: not one statement of the relay's so far.
    expect(db.queries.roundTrips).toBe(5 * (mysql ? 1 : 3));
    expect(await unpublished()).toBe(5);
    // A poll (here flush's) marks them first, in one statement, so it does not take them again.
    db.queries.reset();
    await lazy.flush();
    expect(db.queries.roundTrips).toBe(1 + (mysql ? 3 : 1));
    expect(received.map((e) => e.payload)).toEqual(Array.from({ length: 5 }, (_, n) => erased(n).payload));
    expect(await unpublished()).toBe(0);
    await lazy.stop();
  });
});
