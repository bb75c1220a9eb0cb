/**
 * Ledger benchmark (MariaDB/MySQL): earn entries per second at 1, 8 and 32 concurrent writers,
 * and the time to expire 100,000 lots, each next to a baseline measured in the same process on
 * the same database (plain single-row INSERTs; one multi-row bulk INSERT of 100,000 rows).
 *
 *   pnpm build && MYSQL_URL=mysql://root@127.0.0.1:3306 node -e "require('./bench/dist/ledger.bench.js').run()"
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { dropMysqlDatabase, loadConfig } from '@loyalty/platform';
import { SERVICES } from '@loyalty/launcher';

const WRITER_COUNTS = [1, 8, 32];
const SECONDS_PER_RUN = Number(process.env.LEDGER_BENCH_SECONDS ?? 4);
const LOTS_TO_EXPIRE = Number(process.env.LEDGER_BENCH_LOTS ?? 100_000);
const LOTS_PER_MEMBER = 100;

interface Result {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
}

async function forDuration(
  writers: number,
  seconds: number,
  work: (writer: number, i: number) => Promise<void>,
): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; Date.now() < until; i += 1) {
        await work(w, i);
        done += 1;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return done / elapsed;
}

export async function run(): Promise<Result[]> {
  const mysqlUrl = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      MYSQL_URL: mysqlUrl,
      DATABASE_PREFIX: prefix,
      POINTS_VALIDITY: 'P1Y',
      EXPIRY_SWEEP_INTERVAL: 'PT1H',
      OUTBOX_POLL_INTERVAL: 'PT1S',
      HOST: '127.0.0.1',
    },
    {},
  );
  const ledger = await SERVICES.ledger.start({ config, port: 0 });
  const { app, runtime } = ledger;
  const ds = runtime.db.dataSource;
  const results: Result[] = [];
  const print = (r: Result) => {
    results.push(r);
    const ratio =
      r.ratio === undefined
        ? ''
        : `  (baseline ${r.baseline!.toFixed(1)} ${r.unit}, ratio ${r.ratio.toFixed(2)})`;
    console.log(`ledger  ${r.name.padEnd(40)} ${r.value.toFixed(1).padStart(10)} ${r.unit}${ratio}`);
  };
  try {
    await ds.query(
      'CREATE TABLE bench_baseline (id varchar(36) PRIMARY KEY, memberId varchar(36) NOT NULL, points int NOT NULL, createdAt datetime(3) NOT NULL)',
    );
    for (const writers of WRITER_COUNTS) {
      const baseline = await forDuration(writers, SECONDS_PER_RUN, async () => {
        await ds.query('INSERT INTO bench_baseline (id, memberId, points, createdAt) VALUES (?, ?, ?, ?)', [
          randomUUID(),
          'm',
          1,
          new Date(),
        ]);
      });
      // One member per writer (members' writes run in parallel; one member's are serialized).
      const members = Array.from({ length: writers }, () => randomUUID());
      for (const m of members) await app.accounts.remember(m);
      const earn = await forDuration(writers, SECONDS_PER_RUN, async (w) => {
        await app.ledger.credits.credit(
          {
            idempotencyKey: randomUUID(),
            memberId: members[w],
            kind: 'REGULAR',
            points: 10,
            reason: 'bench',
            merchantId: 'shop',
          },
          'service:bench',
        );
      });
      print({
        name: `earn entries/s, ${writers} writer(s)`,
        value: earn,
        unit: 'ops/s',
        baseline,
        ratio: earn / baseline,
      });
    }
    // Contention: 8 writers crediting the same member (serialized on the member's row lock).
    const hot = randomUUID();
    await app.accounts.remember(hot);
    const hotRate = await forDuration(8, SECONDS_PER_RUN, async () => {
      await app.ledger.credits.credit(
        { idempotencyKey: randomUUID(), memberId: hot, kind: 'REGULAR', points: 1, reason: 'bench' },
        'service:bench',
      );
    });
    print({ name: 'earn entries/s, 8 writers on one member', value: hotRate, unit: 'ops/s' });

    // Expiry: seed LOTS_TO_EXPIRE expired lots (a consistent ledger: entries, lots, balances).
    const memberCount = Math.ceil(LOTS_TO_EXPIRE / LOTS_PER_MEMBER);
    const earnedAt = new Date(Date.now() - 400 * 86_400_000);
    const expiredAt = new Date(Date.now() - 60_000);
    const seedStart = process.hrtime.bigint();
    for (let m0 = 0; m0 < memberCount; m0 += 10) {
      const members = Array.from({ length: Math.min(10, memberCount - m0) }, () => randomUUID());
      const streams: unknown[] = [];
      const accounts: unknown[] = [];
      const entries: unknown[] = [];
      const lots: unknown[] = [];
      for (const memberId of members) {
        streams.push(memberId, LOTS_PER_MEMBER, earnedAt);
        accounts.push(memberId, 'REGULAR', LOTS_PER_MEMBER * 7, earnedAt);
        for (let i = 0; i < LOTS_PER_MEMBER; i += 1) {
          const entryId = randomUUID();
          const lotId = randomUUID();
          entries.push(
            entryId,
            memberId,
            i + 1,
            'REGULAR',
            'EARN',
            7,
            7 * (i + 1),
            'bench',
            lotId,
            expiredAt,
            'service:bench',
            earnedAt,
          );
          lots.push(lotId, memberId, 'REGULAR', entryId, 7, 7, earnedAt, expiredAt);
        }
      }
      const rows = (n: number, width: number) =>
        Array.from({ length: n }, () => `(${Array(width).fill('?').join(',')})`).join(',');
      await ds.query(
        `INSERT INTO ledger_members (memberId, lastSequence, createdAt) VALUES ${rows(members.length, 3)}`,
        streams,
      );
      await ds.query(
        `INSERT INTO ledger_accounts (memberId, kind, balance, updatedAt) VALUES ${rows(members.length, 4)}`,
        accounts,
      );
      await ds.query(
        `INSERT INTO ledger_entries (id, memberId, sequence, kind, type, points, balanceAfter, description, lotId, expiresAt, actor, createdAt) VALUES ${rows(entries.length / 12, 12)}`,
        entries,
      );
      await ds.query(
        `INSERT INTO ledger_lots (id, memberId, kind, entryId, points, remaining, earnedAt, expiresAt) VALUES ${rows(lots.length / 8, 8)}`,
        lots,
      );
    }
    const seedSeconds = Number(process.hrtime.bigint() - seedStart) / 1e9;
    const started = process.hrtime.bigint();
    const expired = await app.sweeper.expireDue(new Date());
    const expireSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (expired !== LOTS_TO_EXPIRE) throw new Error(`expired ${expired} lots, expected ${LOTS_TO_EXPIRE}`);
    print({
      name: `expire ${LOTS_TO_EXPIRE} lots (s)`,
      value: expireSeconds,
      unit: 's',
      baseline: seedSeconds,
      ratio: expireSeconds / seedSeconds,
    });
    print({ name: 'expired lots/s', value: expired / expireSeconds, unit: 'lots/s' });
    // The same 8-writer earn with the outbox relay paused: what the relay's locking costs writers.
    await ledger.relay.stop();
    const quiet = Array.from({ length: 8 }, () => randomUUID());
    for (const m of quiet) await app.accounts.remember(m);
    const paused = await forDuration(8, SECONDS_PER_RUN, async (w) => {
      await app.ledger.credits.credit(
        { idempotencyKey: randomUUID(), memberId: quiet[w], kind: 'REGULAR', points: 10, reason: 'bench' },
        'service:bench',
      );
    });
    print({ name: 'earn entries/s, 8 writers, relay paused', value: paused, unit: 'ops/s' });
    const check = await app.queries.check();
    if (check.problems.length)
      throw new Error(`ledger check failed: ${check.problems.slice(0, 3).join('; ')}`);
    console.log(
      `ledger  invariant check after the benchmark: ok (${check.accountsChecked} accounts, ${check.lotsChecked} lots)`,
    );
    console.log(
      'ledger  baselines: earn rows vs plain autocommit single-row INSERTs at the same concurrency; expiry vs the multi-row bulk INSERT that seeded the same lots, entries and accounts',
    );
  } finally {
    await ledger.stop();
    await dropMysqlDatabase(mysqlUrl, `${prefix}_ledger`).catch(() => undefined);
  }
  return results;
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
