import { Column, Entity, Index } from 'typeorm';
import {
  CommandOutbox,
  CommandPoster,
  CommandRow,
  createLogger,
  retryDelayMs,
  Transactor,
  type CommandPosterOptions,
  type Database,
} from '@loyalty/platform';
import { eventually, openTestDatabase, testConfig } from '@loyalty/testing';

/** A command table as a service declares one: the platform's columns plus its own. */
@Entity({ name: 'test_commands' })
@Index('ix_test_commands_due', ['status', 'nextAttemptAt'])
class TestCommandRow extends CommandRow {
  @Column({ type: 'varchar', length: 120, unique: true })
  idempotencyKey: string;

  @Column({ type: 'integer' })
  points: number;

  /** For a REVERSE: the CREDIT it takes back. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  reverses: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  receipt: string | null;
}

const logger = createLogger('test', 'silent');

/** The other service: de-duplicates by idempotency key, and can be down. */
class FakePeer {
  readonly applied = new Map<string, { op: string; points: number }>();
  readonly calls: string[] = [];
  down = false;

  async apply(row: TestCommandRow): Promise<Partial<TestCommandRow>> {
    this.calls.push(row.idempotencyKey);
    if (this.down) throw new Error('peer unreachable');
    if (row.operation === 'REVERSE' && row.reverses && !this.applied.has(row.reverses))
      throw new Error('reversal before its credit');
    if (!this.applied.has(row.idempotencyKey))
      this.applied.set(row.idempotencyKey, { op: row.operation, points: row.points });
    return { receipt: `r:${row.idempotencyKey}` };
  }
}

describe('command outbox and poster', () => {
  const config = testConfig();
  let db: Database;
  let transactor: Transactor;
  const outbox = new CommandOutbox(TestCommandRow);
  const posters: CommandPoster<TestCommandRow>[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(config, [TestCommandRow], 'campaigns');
    transactor = new Transactor(db);
  });

  afterEach(async () => {
    for (const p of posters.splice(0)) await p.stop();
    await db.dataSource.manager.clear(TestCommandRow);
  });

  afterAll(async () => {
    await db?.dataSource.destroy();
  });

  const poster = (
    peer: FakePeer,
    options: Partial<CommandPosterOptions<TestCommandRow>> = {},
  ): CommandPoster<TestCommandRow> => {
    const p = new CommandPoster<TestCommandRow>({
      name: 'test poster',
      entity: TestCommandRow,
      transactor,
      logger,
      handlers: { CREDIT: (row) => peer.apply(row), REVERSE: (row) => peer.apply(row) },
      intervalMs: 60_000,
      baseBackoffMs: 200,
      maxBackoffMs: 1_000,
      prerequisite: (row) =>
        row.reverses ? { where: { idempotencyKey: row.reverses }, reason: 'waiting for the credit' } : null,
      ...options,
    });
    posters.push(p);
    return p;
  };

  const enqueue = (...commands: { key: string; op?: string; reverses?: string }[]) =>
    transactor.run(({ manager }) =>
      outbox.enqueue(
        manager,
        commands.map((c) => ({
          idempotencyKey: c.key,
          operation: c.op ?? 'CREDIT',
          points: 10,
          reverses: c.reverses ?? null,
          receipt: null,
        })),
      ),
    );

  const rows = () => transactor.read((m) => m.find(TestCommandRow, { order: { idempotencyKey: 'ASC' } }));

  it('writes commands only with the transaction that owes them', async () => {
    await expect(
      transactor.run(async ({ manager }) => {
        await outbox.enqueue(manager, [
          { idempotencyKey: 'rolled-back', operation: 'CREDIT', points: 1, reverses: null, receipt: null },
        ]);
        throw new Error('decision refused');
      }),
    ).rejects.toThrow('decision refused');
    const [written] = await enqueue({ key: 'k1' });
    expect(await rows()).toEqual([
      expect.objectContaining({ id: written.id, idempotencyKey: 'k1', status: 'PENDING', attempts: 0 }),
    ]);
  });

  it('posts rows in hand through the batch handler: one call, rows updated in place', async () => {
    const peer = new FakePeer();
    const batches: string[][] = [];
    const p = poster(peer, {
      batchHandlers: {
        CREDIT: async (rs) => {
          batches.push(rs.map((r) => r.idempotencyKey));
          return Promise.all(rs.map((r) => peer.apply(r)));
        },
      },
    });
    const written = await enqueue({ key: 'x' }, { key: 'y' }, { key: 'z', op: 'REVERSE', reverses: 'x' });
    await p.postRows(written);
    // The credits in one call; the reversal after them, on its own.
    expect(batches).toEqual([['x', 'y']]);
    expect(peer.calls).toEqual(['x', 'y', 'z']);
    expect(written.map((r) => [r.status, r.receipt])).toEqual([
      ['POSTED', 'r:x'],
      ['POSTED', 'r:y'],
      ['POSTED', 'r:z'],
    ]);
    expect((await rows()).map((r) => r.status)).toEqual(['POSTED', 'POSTED', 'POSTED']);
  });

  it("gathers concurrent writers' rows into the next batch call while one is in flight", async () => {
    const peer = new FakePeer();
    const batches: string[][] = [];
    let entered!: () => void;
    const firstCallEntered = new Promise<void>((resolve) => (entered = resolve));
    let answer!: () => void;
    const firstCallAnswered = new Promise<void>((resolve) => (answer = resolve));
    const p = poster(peer, {
      maxBatchCall: 3,
      batchHandlers: {
        CREDIT: async (rs) => {
          batches.push(rs.map((r) => r.idempotencyKey));
          if (batches.length === 1) {
            entered();
            await firstCallAnswered;
          }
          return Promise.all(rs.map((r) => peer.apply(r)));
        },
      },
    });
    const a = await enqueue({ key: 'a1' }, { key: 'a2' });
    const b = await enqueue({ key: 'b1' });
    const c = await enqueue({ key: 'c1' }, { key: 'c2' });
    const d = await enqueue({ key: 'd1' });
    const first = p.postRows(a);
    await firstCallEntered;
    // Given while the first call is in flight: held, then sent together, at most 3 a call.
    const later = [p.postRows(b), p.postRows(c), p.postRows(d)];
    expect(batches).toEqual([['a1', 'a2']]);
    answer();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([['a1', 'a2'], ['b1', 'c1', 'c2'], ['d1']]);
    expect([...a, ...b, ...c, ...d].map((r) => [r.idempotencyKey, r.status, r.receipt])).toEqual(
      ['a1', 'a2', 'b1', 'c1', 'c2', 'd1'].map((k) => [k, 'POSTED', `r:${k}`]),
    );
    expect((await rows()).map((r) => [r.idempotencyKey, r.status, r.receipt])).toEqual(
      ['a1', 'a2', 'b1', 'c1', 'c2', 'd1'].map((k) => [k, 'POSTED', `r:${k}`]),
    );
  });

  it('leaves commands their writer posts itself to the writer, until its wait is over', async () => {
    const peer = new FakePeer();
    const p = poster(peer);
    const [own] = await transactor.run(({ manager }) =>
      outbox.enqueue(
        manager,
        [{ idempotencyKey: 'mine', operation: 'CREDIT', points: 5, reverses: null, receipt: null }],
        undefined,
        { postingMs: 60_000 },
      ),
    );
    const [other] = await enqueue({ key: 'due' });
    // The background pass takes only what is due: not the command its writer is posting.
    expect(await p.drain()).toBe(1);
    expect(peer.calls).toEqual(['due']);
    await p.postRows([own]);
    expect(peer.calls).toEqual(['due', 'mine']);
    expect((await rows()).map((r) => [r.idempotencyKey, r.status])).toEqual([
      ['due', 'POSTED'],
      ['mine', 'POSTED'],
    ]);
    expect(own.nextAttemptAt.getTime()).toBeGreaterThan(other.nextAttemptAt.getTime() + 59_000);
  });

  it('falls back to one call per row when a batch fails', async () => {
    const peer = new FakePeer();
    const p = poster(peer, {
      batchHandlers: {
        CREDIT: async () => {
          throw new Error('batch refused');
        },
      },
    });
    const written = await enqueue({ key: 'f1' }, { key: 'f2' });
    await p.postRows(written);
    expect(peer.calls).toEqual(['f1', 'f2']);
    expect((await rows()).map((r) => [r.status, r.receipt])).toEqual([
      ['POSTED', 'r:f1'],
      ['POSTED', 'r:f2'],
    ]);
  });

  it('posts after commit and records the handler result', async () => {
    const peer = new FakePeer();
    const p = poster(peer);
    const written = await enqueue({ key: 'a' }, { key: 'b' });
    await p.postNow(written.map((r) => r.id));
    expect([...peer.applied.keys()]).toEqual(['a', 'b']);
    expect(await rows()).toEqual([
      expect.objectContaining({ idempotencyKey: 'a', status: 'POSTED', receipt: 'r:a', lastError: null }),
      expect.objectContaining({ idempotencyKey: 'b', status: 'POSTED', receipt: 'r:b' }),
    ]);
    expect(await p.pendingCount()).toBe(0);
  });

  it('retries a failing command with exponential backoff, then posts it when the peer is back', async () => {
    // Only the clock is faked (timers and I/O stay real): the waits are exact, however slow the
    // machine, and the test does not wait them out.
    jest.useFakeTimers({
      now: Date.now(),
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    try {
      const peer = new FakePeer();
      peer.down = true;
      const p = poster(peer);
      const [row] = await enqueue({ key: 'c' });

      const start = Date.now();
      await p.postNow([row.id]);
      let [stored] = await rows();
      expect(stored).toMatchObject({ status: 'PENDING', attempts: 1, lastError: 'peer unreachable' });
      expect(stored.nextAttemptAt.getTime()).toBe(start + retryDelayMs(1, 200, 1_000));

      // Not due yet: a pass leaves it alone.
      jest.setSystemTime(start + retryDelayMs(1, 200, 1_000) - 1);
      expect(await p.drain()).toBe(0);
      expect(peer.calls).toHaveLength(1);

      // Due after its wait: the second failure doubles the wait.
      const due = start + retryDelayMs(1, 200, 1_000);
      jest.setSystemTime(due);
      await p.drain();
      expect(peer.calls).toHaveLength(2);
      [stored] = await rows();
      expect(stored.attempts).toBe(2);
      expect(stored.nextAttemptAt.getTime()).toBe(due + retryDelayMs(2, 200, 1_000));

      peer.down = false;
      jest.setSystemTime(due + retryDelayMs(2, 200, 1_000));
      expect(await p.drain()).toBe(1);
      [stored] = await rows();
      expect(stored).toMatchObject({ status: 'POSTED', lastError: null, receipt: 'r:c' });
      expect(peer.applied.size).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('posts a reversal only after the credit it takes back', async () => {
    const peer = new FakePeer();
    const p = poster(peer);
    peer.down = true;
    const [credit] = await enqueue({ key: 'credit' });
    await p.postNow([credit.id]);
    peer.down = false;
    const [reversal] = await enqueue({ key: 'reversal', op: 'REVERSE', reverses: 'credit' });

    // The credit is still owed (waiting out its backoff): the reversal waits too, without failing.
    await p.postNow([reversal.id]);
    expect(peer.calls).toEqual(['credit']);
    const waiting = (await rows()).find((r) => r.idempotencyKey === 'reversal')!;
    expect(waiting).toMatchObject({ status: 'PENDING', attempts: 0, lastError: 'waiting for the credit' });

    // Once the credit goes, the reversal follows (never before it).
    await eventually(async () => (await p.drain(), (await p.pendingCount()) === 0));
    expect(peer.calls.filter((k) => k === 'reversal')).toHaveLength(1);
    expect(peer.calls.lastIndexOf('credit')).toBeLessThan(peer.calls.indexOf('reversal'));
    expect([...peer.applied.keys()]).toEqual(['credit', 'reversal']);
  });

  it('posts credits before their reversal when both are owed at once', async () => {
    const peer = new FakePeer();
    const p = poster(peer);
    const written = await enqueue({ key: 'credit' }, { key: 'reversal', op: 'REVERSE', reverses: 'credit' });
    await p.postNow(written.map((r) => r.id).reverse());
    expect(peer.calls).toEqual(['credit', 'reversal']);
    expect(await p.pendingCount()).toBe(0);
  });

  it('is exactly-once in effect across a crash between posting and marking', async () => {
    const peer = new FakePeer();
    // A process that dies right after the peer accepted: its transactions never run.
    const dying = Object.create(transactor) as Transactor;
    dying.run = () => Promise.reject(new Error('process died'));
    const crashed = poster(peer, { transactor: dying });
    const [row] = await enqueue({ key: 'once' });
    await crashed.postNow([row.id]);
    expect(peer.calls).toEqual(['once']);
    expect((await rows())[0]).toMatchObject({ status: 'PENDING', attempts: 0 });
    await crashed.stop();

    // The restarted process posts it again with the same key: the peer keeps one effect.
    const restarted = poster(peer);
    expect(await restarted.drain()).toBe(1);
    expect(peer.calls).toEqual(['once', 'once']);
    expect([...peer.applied.entries()]).toEqual([['once', { op: 'CREDIT', points: 10 }]]);
    expect((await rows())[0]).toMatchObject({ status: 'POSTED', receipt: 'r:once' });
    // And never again.
    expect(await restarted.drain()).toBe(0);
    expect(peer.calls).toHaveLength(2);
  });

  it('drains from the background loop when nudged', async () => {
    const peer = new FakePeer();
    const p = poster(peer);
    p.start();
    await enqueue({ key: 'n1' }, { key: 'n2' });
    p.nudge();
    await eventually(async () => (await p.pendingCount()) === 0);
    expect([...peer.applied.keys()].sort()).toEqual(['n1', 'n2']);
  });
});
