/**
 * Ledger benchmark, on SQLite and on MariaDB/MySQL: the ledger's earn (`credits.credit`, what
 * `ledgerCredit` runs) at 1, 8 and 32 writers over 10,000 accounts and on one hot account, and
 * the expiry sweep, each against a raw baseline run in the same process on the same database:
 * - earn: the minimal earn transaction in raw mysql2 (prepared statements) or raw
 *   better-sqlite3: lock the account, update the balance, insert an entry and a lot, commit;
 *   and beside it the rows a ledger earn writes, by hand-written SQL on empty copies of the
 *   ledger's own tables (ledger-raw-tables.ts), which splits the gap into what the ledger's
 *   tables cost the database and what its code costs on top;
 * - expiry: the same due lots written off by hand-written set-based SQL on copies of the ledger's
 *   tables (same columns, indexes and rows): the same EXPIRE entries (INSERT … SELECT with window
 *   functions for sequence and running balance), lot moves and outbox rows, then UPDATE … JOINs
 *   of balances, sequences and lots, all in one transaction (see ledger-expiry.ts: a fresh
 *   cohort of due lots per round, the outbox relay paused while either side is timed).
 * Rounds are interleaved (baseline, ledger, ledger, baseline, …) and each figure is the median
 * over rounds, so a noisy neighbour moves both sides alike. On MySQL the earn table is followed
 * by what one round trip costs on the machine, back to back and after client work
 * (round-trip.ts), and the SQLite one by what a commit costs per page it writes (log-frame.ts):
 * the ratios at one writer move with them.
 *
 *   pnpm bench ledger                          # SQLite, and MariaDB at MYSQL_URL (default mysql://root@127.0.0.1:3306)
 *   LEDGER_BENCH_DB=sqlite pnpm bench ledger   # one database only (sqlite | mysql)
 *   LEDGER_BENCH_ROUNDS=5 LEDGER_BENCH_SECONDS=2 LEDGER_BENCH_LOTS=1000000 pnpm bench ledger
 *   LEDGER_BENCH_PARTS=expiry LEDGER_BENCH_EXPIRY_ROUNDS=3 pnpm bench ledger   # expiry only (or earn only)
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { dropMysqlDatabase, loadConfig } from '@loyalty/platform';
import { SERVICES } from '@loyalty/launcher';
import { baselineBesideLedger, BULK_LOAD, type Baseline } from './ledger-raw';
import { tablesBaselineBesideLedger, type TablesBaseline } from './ledger-raw-tables';
import { benchLedgerSettings, seedLedgerMembers } from './ledger-accounts';
import { benchExpiry } from './ledger-expiry';
import { logFrameCost, logFrameLine } from './log-frame';
import { roundTripCost, roundTripLine } from './round-trip';
import { forDuration, median } from './stats';

const WRITER_COUNTS = [1, 8, 32];
const ROUNDS = Number(process.env.LEDGER_BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.LEDGER_BENCH_SECONDS ?? 1);
const LOTS_TO_EXPIRE = Number(process.env.LEDGER_BENCH_LOTS ?? 100_000);
const EXPIRY_ROUNDS = Number(process.env.LEDGER_BENCH_EXPIRY_ROUNDS ?? 3);
/** Which parts run: `earn`, `expiry` or both (comma-separated). */
const PARTS = (process.env.LEDGER_BENCH_PARTS ?? 'earn,expiry').split(',');
const ACCOUNTS = 10_000;

type Db = 'sqlite' | 'mysql';

async function benchOn(kind: Db): Promise<string[]> {
  const mysqlUrl = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const config = loadConfig(
    {
      ...benchLedgerSettings(dataDir, prefix),
      ...(kind === 'mysql' ? { MYSQL_URL: mysqlUrl } : {}),
      OUTBOX_POLL_INTERVAL: 'PT1S',
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
  let rawTables: TablesBaseline | null = null;
  try {
    const place = { config, kind, mysqlUrl, prefix, dataDir };
    raw = await baselineBesideLedger(place);
    const baseline = raw;
    rawTables = await tablesBaselineBesideLedger(place);
    const tables = rawTables;

    // 10,000 members known to the ledger (and to its member cache) and to the baseline.
    const members = Array.from({ length: ACCOUNTS }, () => randomUUID());
    const hot = members[0];
    await seedLedgerMembers(
      ds,
      (m) => app.accounts.ensure(m),
      members,
      async (part) => {
        await baseline.seedAccounts(part);
        await tables.seedAccounts(part);
      },
    );
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

    line([
      'path',
      'writers',
      'raw tx/s',
      'ledger tx/s',
      'ratio',
      "raw on the ledger's tables tx/s",
      'ledger ÷ that',
      'round trips per earn (relay included)',
    ]);
    line(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']);
    const scenarios = (PARTS.includes('earn') ? WRITER_COUNTS : []).flatMap((writers) => [
      { name: 'earn, 10,000 accounts', writers, member: () => pick() },
      { name: 'earn, one hot account', writers, member: () => hot },
    ]);
    const samples = scenarios.map(() => ({
      raw: [] as number[],
      ledger: [] as number[],
      ratio: [] as number[],
      tables: [] as number[],
      tablesRatio: [] as number[],
      trips: [] as number[],
    }));
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [i, s] of scenarios.entries()) {
        const runRaw = () => forDuration(s.writers, SECONDS, () => baseline.earn(s.member()));
        const runTables = () => forDuration(s.writers, SECONDS, () => tables.earn(s.member()));
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
        // Alternate which side goes first, so warm-up and drift fall on all three alike.
        const [a, t, b] =
          round % 2
            ? [await runLedger(), await runTables(), await runRaw()].reverse()
            : [await runRaw(), await runTables(), await runLedger()];
        samples[i].raw.push(a.rate);
        samples[i].ledger.push(b.rate);
        samples[i].ratio.push(b.rate / a.rate);
        samples[i].tables.push(t.rate);
        samples[i].tablesRatio.push(b.rate / t.rate);
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
        median(m.tables).toFixed(0),
        median(m.tablesRatio).toFixed(2),
        median(m.trips).toFixed(1),
      ]);
    }
    if (kind === 'mysql' && PARTS.includes('earn')) console.log(roundTripLine(await roundTripCost(mysqlUrl)));
    if (kind === 'sqlite' && PARTS.includes('earn')) console.log(logFrameLine(logFrameCost(dataDir)));

    if (PARTS.includes('expiry') && kind === 'mysql' && LOTS_TO_EXPIRE * EXPIRY_ROUNDS >= 1_000_000) {
      // With MariaDB's default 128 MB pool both sides of a large sweep read and write from disk,
      // and one round of a million lots takes many minutes per side.
      const [{ size }] = (await ds.query('SELECT @@innodb_buffer_pool_size AS size')) as { size: number }[];
      if (Number(size) < 2 ** 30)
        console.log(
          `  note: innodb_buffer_pool_size is ${Math.round(Number(size) / 2 ** 20)} MB; for this many lots raise it for the run ` +
            '(SET GLOBAL innodb_buffer_pool_size = 8589934592, as the ledger README did) and set it back after',
        );
    }
    if (PARTS.includes('expiry'))
      await benchExpiry({
        kind,
        lots: LOTS_TO_EXPIRE,
        rounds: EXPIRY_ROUNDS,
        async seed(statements) {
          const runner = ds.createQueryRunner();
          try {
            if (kind === 'mysql') await runner.query(BULK_LOAD.start);
            for (const [text, params] of statements) await runner.query(text, params);
          } finally {
            if (kind === 'mysql') await runner.query(BULK_LOAD.end);
            await runner.release();
          }
        },
        baseline,
        expireDue: (at) => app.sweeper.expireDue(at),
        relay: ledger.relay,
        check: () => app.queries.check(),
        line,
      });
    await ledger.relay.flush();
    const check = await app.queries.check();
    if (check.problems.length)
      throw new Error(`ledger check failed: ${check.problems.slice(0, 3).join('; ')}`);
    console.log(
      `invariant check after the ${kind} benchmark: ok (${check.accountsChecked} accounts, ${check.lotsChecked} lots)`,
    );
  } finally {
    await raw?.close();
    await rawTables?.close();
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
