/**
 * Ledger benchmark, on SQLite and on MariaDB/MySQL: the ledger's earn (`credits.credit`, what
 * `ledgerCredit` runs) at 1, 8 and 32 writers over 10,000 accounts and on one hot account, and
 * the expiry sweep, each against a raw baseline run in the same process on the same database:
 * - earn: the minimal earn transaction in raw mysql2 (prepared statements) or raw
 *   better-sqlite3: lock the account, update the balance, insert an entry and a lot, commit;
 * - expiry: the same due lots written off by hand-written set-based SQL on copies of the ledger's
 *   tables (same columns, indexes and rows): the same EXPIRE entries (INSERT … SELECT with window
 *   functions for sequence and running balance), lot moves and outbox rows, then UPDATE … JOINs
 *   of balances, sequences and lots, all in one transaction.
 * Rounds are interleaved (baseline, ledger, ledger, baseline, …) and each figure is the median
 * over rounds, so a noisy neighbour moves both sides alike.
 *
 *   pnpm bench ledger                          # SQLite, and MariaDB at MYSQL_URL (default mysql://root@127.0.0.1:3306)
 *   LEDGER_BENCH_DB=sqlite pnpm bench ledger   # one database only (sqlite | mysql)
 *   LEDGER_BENCH_ROUNDS=5 LEDGER_BENCH_SECONDS=2 LEDGER_BENCH_LOTS=1000000 pnpm bench ledger
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { dropMysqlDatabase, loadConfig, PointKind, sqlDate } from '@loyalty/platform';
import { SERVICES } from '@loyalty/launcher';
import { mysqlBaseline, rows, sqliteBaseline, type Baseline } from './ledger-raw';
import { forDuration, median } from './stats';

const WRITER_COUNTS = [1, 8, 32];
const ROUNDS = Number(process.env.LEDGER_BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.LEDGER_BENCH_SECONDS ?? 1);
const LOTS_TO_EXPIRE = Number(process.env.LEDGER_BENCH_LOTS ?? 100_000);
const ACCOUNTS = 10_000;
const LOTS_PER_MEMBER = 100;

type Db = 'sqlite' | 'mysql';

async function benchOn(kind: Db): Promise<string[]> {
  const mysqlUrl = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      ...(kind === 'mysql' ? { MYSQL_URL: mysqlUrl } : {}),
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
  const queries = runtime.db.queries;
  const table: string[] = [];
  const line = (cells: string[]) => {
    const text = `| ${cells.join(' | ')} |`;
    table.push(text);
    console.log(text);
  };
  let raw: Baseline | null = null;
  try {
    if (kind === 'mysql') {
      const url = new URL(mysqlUrl);
      url.pathname = `/${prefix}_ledger`;
      raw = await mysqlBaseline(url.toString());
    } else {
      const target = config.database('ledger');
      if (target.kind !== 'sqlite') throw new Error('expected the ledger on SQLite');
      raw = sqliteBaseline(join(dataDir, 'raw.sqlite'), target.file);
    }
    const baseline = raw;

    // 10,000 members known to the ledger (and to its member cache) and to the baseline.
    const members = Array.from({ length: ACCOUNTS }, () => randomUUID());
    const hot = members[0];
    const now = sqlDate(new Date());
    const kinds = Object.values(PointKind);
    for (let i = 0; i < members.length; i += 500) {
      const part = members.slice(i, i + 500);
      await ds.query(
        `INSERT INTO ledger_members (memberId, lastSequence, createdAt) VALUES ${rows(part.length, 3)}`,
        part.flatMap((m) => [m, 0, now]),
      );
      await ds.query(
        `INSERT INTO ledger_accounts (memberId, kind, balance, updatedAt) VALUES ${rows(part.length * kinds.length, 4)}`,
        part.flatMap((m) => kinds.flatMap((k) => [m, k, 0, now])),
      );
      await baseline.seedAccounts(part);
    }
    for (let i = 0; i < members.length; i += 100)
      await Promise.all(members.slice(i, i + 100).map((m) => app.accounts.ensure(m)));
    const pick = () => members[Math.floor(Math.random() * members.length)];
    const credit = (memberId: string) =>
      app.ledger.credits.credit(
        {
          idempotencyKey: randomUUID(),
          memberId,
          kind: 'REGULAR',
          points: 10,
          reason: 'bench',
          merchantId: 'shop',
        },
        'service:bench',
      );

    line(['path', 'writers', 'raw tx/s', 'ledger tx/s', 'ratio', 'round trips per earn (relay included)']);
    line(['---', '---:', '---:', '---:', '---:', '---:']);
    const scenarios = WRITER_COUNTS.flatMap((writers) => [
      { name: 'earn, 10,000 accounts', writers, member: () => pick() },
      { name: 'earn, one hot account', writers, member: () => hot },
    ]);
    const samples = scenarios.map(() => ({
      raw: [] as number[],
      ledger: [] as number[],
      ratio: [] as number[],
      trips: [] as number[],
    }));
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [i, s] of scenarios.entries()) {
        const runRaw = () => forDuration(s.writers, SECONDS, () => baseline.earn(s.member()));
        const runLedger = async () => {
          await ledger.relay.flush();
          queries.reset();
          const r = await forDuration(s.writers, SECONDS, async () => {
            await credit(s.member());
          });
          await ledger.relay.flush();
          samples[i].trips.push(queries.roundTrips / r.done);
          return r;
        };
        // Alternate which side goes first, so warm-up and drift fall on both.
        const [a, b] =
          round % 2 ? [await runLedger(), await runRaw()].reverse() : [await runRaw(), await runLedger()];
        samples[i].raw.push(a.rate);
        samples[i].ledger.push(b.rate);
        samples[i].ratio.push(b.rate / a.rate);
      }
    }
    for (const [i, s] of scenarios.entries()) {
      const m = samples[i];
      line([
        `${kind} ${s.name}`,
        String(s.writers),
        median(m.raw).toFixed(0),
        median(m.ledger).toFixed(0),
        `**${median(m.ratio).toFixed(2)}**`,
        median(m.trips).toFixed(1),
      ]);
    }

    // Expiry: LOTS_TO_EXPIRE due lots in a consistent ledger (entries, lots, balances), the same
    // in the raw tables; each side writes them all off.
    const memberCount = Math.ceil(LOTS_TO_EXPIRE / LOTS_PER_MEMBER);
    const earnedAt = new Date(Date.now() - 400 * 86_400_000);
    const expiredAt = new Date(Date.now() - 60_000);
    for (let m0 = 0; m0 < memberCount; m0 += 10) {
      const group = Array.from({ length: Math.min(10, memberCount - m0) }, () => randomUUID());
      const streams: unknown[] = [];
      const accounts: unknown[] = [];
      const entries: unknown[] = [];
      const lots: unknown[] = [];
      for (const memberId of group) {
        streams.push(memberId, LOTS_PER_MEMBER, sqlDate(earnedAt));
        accounts.push(memberId, 'REGULAR', LOTS_PER_MEMBER * 7, sqlDate(earnedAt));
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
            sqlDate(expiredAt),
            'service:bench',
            sqlDate(earnedAt),
          );
          lots.push(lotId, memberId, 'REGULAR', entryId, 7, 7, sqlDate(earnedAt), sqlDate(expiredAt));
        }
      }
      await ds.query(
        `INSERT INTO ledger_members (memberId, lastSequence, createdAt) VALUES ${rows(group.length, 3)}`,
        streams,
      );
      await ds.query(
        `INSERT INTO ledger_accounts (memberId, kind, balance, updatedAt) VALUES ${rows(group.length, 4)}`,
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
    await baseline.copyLedger();
    const at = new Date();
    const t0 = process.hrtime.bigint();
    const rawExpired = await baseline.expire(at);
    const rawSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const t1 = process.hrtime.bigint();
    const expired = await app.sweeper.expireDue(at);
    const ledgerSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
    if (expired !== LOTS_TO_EXPIRE || rawExpired !== LOTS_TO_EXPIRE)
      throw new Error(`expired ${expired} (raw ${rawExpired}) lots, expected ${LOTS_TO_EXPIRE}`);
    line([
      `${kind} expiry sweep, ${LOTS_TO_EXPIRE.toLocaleString('en')} lots`,
      '1',
      `${rawSeconds.toFixed(2)} s`,
      `${ledgerSeconds.toFixed(2)} s`,
      `**${(ledgerSeconds / rawSeconds).toFixed(2)}× the time**`,
      '',
    ]);
    await ledger.relay.flush();
    const check = await app.queries.check();
    if (check.problems.length)
      throw new Error(`ledger check failed: ${check.problems.slice(0, 3).join('; ')}`);
    console.log(
      `invariant check after the ${kind} benchmark: ok (${check.accountsChecked} accounts, ${check.lotsChecked} lots)`,
    );
  } finally {
    await raw?.close();
    await ledger.stop();
    if (kind === 'mysql') await dropMysqlDatabase(mysqlUrl, `${prefix}_ledger`).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
  return table;
}

export async function run(): Promise<void> {
  const dbs = (process.env.LEDGER_BENCH_DB ?? 'sqlite,mysql').split(',') as Db[];
  console.log(
    `ledger: ${ROUNDS} interleaved rounds of ${SECONDS}s per figure, medians; raw = minimal earn transaction / set-based expiry SQL in the same process`,
  );
  for (const db of dbs) await benchOn(db);
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
