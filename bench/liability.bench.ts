/**
 * Points-liability benchmark: `pointsLiability` on a ledger of 1,000,000 entries (400,000 lots,
 * 600,000 lot moves, 20 merchants, one year), next to the straightforward SQL aggregate of the
 * same figures (lots and moves joined to their entries and lots) run on the same data in the same
 * process. MariaDB/MySQL when MYSQL_URL is set, otherwise SQLite.
 *
 *   pnpm build && MYSQL_URL=mysql://root@127.0.0.1:3306 node -e "require('./bench/dist/liability.bench.js').run()"
 *   (LIABILITY_BENCH_ENTRIES to change the size)
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { dropMysqlDatabase, loadConfig, TokenService } from '@loyalty/platform';
import { SERVICES } from '@loyalty/launcher';
import { median } from './stats';

const ENTRIES = Number(process.env.LIABILITY_BENCH_ENTRIES ?? 1_000_000);
const MERCHANTS = 20;
const ENTRIES_PER_MEMBER = 50;
/** Of each member's entries: credits (lots) first in time order mixed with debits (one move each). */
const CREDITS_PER_MEMBER = 20;
const YEAR_START = Date.UTC(2025, 0, 1);
const YEAR_MS = 365 * 86_400_000;
const REPEATS = 5;

interface Figures {
  issued: number;
  redeemed: number;
  expired: number;
  reversed: number;
  outstanding: number;
}

type Query = { merchantId: string | null; kind: string; from: Date; to: Date };

async function timed<T>(work: () => Promise<T>, repeats: number): Promise<{ ms: number; result: T }> {
  const times: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < repeats; i += 1) {
    const started = process.hrtime.bigint();
    result = await work();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { ms: median(times), result: result as T };
}

export async function run(): Promise<void> {
  const mysqlUrl = process.env.MYSQL_URL;
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'liability-bench-'));
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      MYSQL_URL: mysqlUrl,
      DATA_DIR: dataDir,
      DATABASE_PREFIX: prefix,
      EXPIRY_SWEEP_INTERVAL: 'PT1H',
      OUTBOX_POLL_INTERVAL: 'PT1S',
      HOST: '127.0.0.1',
      AUTH_JWT_SECRET: 'bench-secret-0123456789abcdef',
    },
    {},
  );
  const ledger = await SERVICES.ledger.start({ config, port: 0 });
  const ds = ledger.runtime.db.dataSource;
  const mysql = ds.driver.options.type === 'mysql';
  const db = mysql ? 'MariaDB/MySQL' : 'SQLite';
  // SQLite stores DATETIME as UTC text; mysql2 binds Date objects itself.
  const at = (ms: number) =>
    mysql ? new Date(ms) : new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
  const rows = (n: number, width: number) =>
    Array.from({ length: n }, () => `(${Array(width).fill('?').join(',')})`).join(',');
  try {
    // Seed: members with 50 entries each over the year: 20 credits (lots) and 30 debits.
    const members = Math.ceil(ENTRIES / ENTRIES_PER_MEMBER);
    const seedStart = process.hrtime.bigint();
    const debitTypes = ['HOLD', 'HOLD', 'HOLD', 'RELEASE', 'EXPIRE', 'EXPIRE', 'REVERSE', 'ADJUST'];
    let seeded = 0;
    for (let m0 = 0; m0 < members; m0 += 10) {
      const entries: unknown[] = [];
      const lots: unknown[] = [];
      const moves: unknown[] = [];
      const accounts: unknown[] = [];
      for (let m = m0; m < Math.min(members, m0 + 10); m += 1) {
        const memberId = randomUUID();
        // A consistent ledger: each lot's remaining is its points plus its moves, each account's
        // balance the sum of its lots' remaining (what the report reads for "now").
        const memberLots: {
          id: string;
          entryId: string;
          merchantId: string;
          kind: string;
          points: number;
          remaining: number;
          time: number;
          origin: string;
        }[] = [];
        for (let i = 0; i < ENTRIES_PER_MEMBER; i += 1) {
          const entryId = randomUUID();
          const time = YEAR_START + Math.floor(((i + Math.random()) / ENTRIES_PER_MEMBER) * YEAR_MS);
          const credit = i % 5 < 2 || memberLots.length === 0;
          if (credit && memberLots.length < CREDITS_PER_MEMBER + 5) {
            const kind = Math.random() < 0.8 ? 'REGULAR' : 'GREEN';
            const merchantId = `merchant-${(m * 7 + i) % MERCHANTS}`;
            const origin = Math.random() < 0.95 ? 'EARN' : 'RESTORE';
            const points = 50 + ((m + i) % 50);
            memberLots.push({
              id: randomUUID(),
              entryId,
              merchantId,
              kind,
              points,
              remaining: points,
              time,
              origin,
            });
            const lotId = memberLots[memberLots.length - 1].id;
            entries.push(
              entryId,
              memberId,
              i + 1,
              kind,
              origin,
              points,
              0,
              'bench',
              merchantId,
              lotId,
              'service:bench',
              at(time),
            );
          } else {
            const lot = memberLots[(i * 13) % memberLots.length];
            const type = debitTypes[(m + i) % debitTypes.length];
            const points = type === 'RELEASE' ? 3 : -(1 + ((m + i) % 9));
            lot.remaining += points;
            entries.push(
              entryId,
              memberId,
              i + 1,
              lot.kind,
              type,
              points,
              0,
              'bench',
              lot.merchantId,
              null,
              'service:bench',
              at(time),
            );
            moves.push(entryId, lot.id, points, lot.merchantId, lot.kind, type, at(time));
          }
        }
        const balances = new Map<string, number>();
        for (const l of memberLots) {
          lots.push(
            l.id,
            memberId,
            l.kind,
            l.entryId,
            l.points,
            l.remaining,
            at(l.time),
            l.merchantId,
            l.origin,
          );
          balances.set(l.kind, (balances.get(l.kind) ?? 0) + l.remaining);
        }
        for (const [kind, balance] of balances)
          accounts.push(memberId, kind, balance, at(YEAR_START + YEAR_MS));
      }
      await ds.query(
        `INSERT INTO ledger_accounts (memberId, kind, balance, updatedAt) VALUES ${rows(accounts.length / 4, 4)}`,
        accounts,
      );
      await ds.query(
        `INSERT INTO ledger_entries (id, memberId, sequence, kind, type, points, balanceAfter, description, merchantId, lotId, actor, createdAt) VALUES ${rows(entries.length / 12, 12)}`,
        entries,
      );
      await ds.query(
        `INSERT INTO ledger_lots (id, memberId, kind, entryId, points, remaining, earnedAt, merchantId, origin) VALUES ${rows(lots.length / 9, 9)}`,
        lots,
      );
      await ds.query(
        `INSERT INTO ledger_lot_moves (entryId, lotId, points, merchantId, kind, entryType, createdAt) VALUES ${rows(moves.length / 7, 7)}`,
        moves,
      );
      seeded += entries.length / 12;
    }
    if (mysql)
      for (const t of ['ledger_entries', 'ledger_lots', 'ledger_lot_moves'])
        await ds.query(`ANALYZE TABLE ${t}`);
    else await ds.query('ANALYZE');
    const seedSeconds = Number(process.hrtime.bigint() - seedStart) / 1e9;
    console.log(`liability  ${db}: seeded ${seeded} entries in ${seedSeconds.toFixed(1)} s`);

    const raw = async (q: Query): Promise<Figures> => {
      const merchant = q.merchantId === null ? '' : ' AND l.merchantId = :merchantId';
      const sql =
        'SELECT e.type AS type, SUM(l.points) AS total, SUM(CASE WHEN e.createdAt >= :from THEN l.points ELSE 0 END) AS inPeriod, 1 AS lot ' +
        'FROM ledger_lots l JOIN ledger_entries e ON e.id = l.entryId ' +
        `WHERE l.kind = :kind AND e.createdAt < :to${merchant} GROUP BY e.type ` +
        'UNION ALL SELECT e.type AS type, SUM(x.points) AS total, SUM(CASE WHEN e.createdAt >= :from THEN x.points ELSE 0 END) AS inPeriod, 0 AS lot ' +
        'FROM ledger_lot_moves x JOIN ledger_entries e ON e.id = x.entryId JOIN ledger_lots l ON l.id = x.lotId ' +
        `WHERE l.kind = :kind AND e.createdAt < :to${merchant} GROUP BY e.type`;
      const [text, params] = ds.driver.escapeQueryWithParameters(sql, {
        ...q,
        from: at(q.from.getTime()),
        to: at(q.to.getTime()),
      });
      const result = (await ds.query(text, params)) as {
        type: string;
        total: unknown;
        inPeriod: unknown;
        lot: unknown;
      }[];
      const of = (lot: boolean, ...types: string[]) =>
        result
          .filter((r) => Number(r.lot) === (lot ? 1 : 0) && types.includes(r.type))
          .reduce((s, r) => s + Number(r.inPeriod ?? 0), 0);
      return {
        issued: of(true, 'EARN', 'COMPENSATE', 'ADJUST'),
        redeemed: 0 - of(false, 'HOLD', 'RELEASE') - of(true, 'RESTORE'),
        expired: 0 - of(false, 'EXPIRE'),
        reversed: 0 - of(false, 'REVERSE', 'ADJUST'),
        outstanding: result.reduce((s, r) => s + Number(r.total ?? 0), 0),
      };
    };
    const admin = await TokenService.fromConfig(config).sign({ role: 'admin', sub: 'bench' });
    const overHttp = async (q: Query) => {
      const res = await fetch(ledger.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({
          query:
            'query($m: ID, $k: PointKind, $f: DateTime!, $t: DateTime!) { pointsLiability(merchantId: $m, kind: $k, from: $f, to: $t) { issued redeemed expired reversed outstanding breakageRate } }',
          variables: { m: q.merchantId, k: q.kind, f: q.from.toISOString(), t: q.to.toISOString() },
        }),
      });
      const body = (await res.json()) as { data?: { pointsLiability: Figures }; errors?: unknown };
      if (!body.data) throw new Error(JSON.stringify(body.errors));
      return body.data.pointsLiability;
    };
    const cases: [string, Query][] = [
      [
        'one merchant, one month',
        {
          merchantId: 'merchant-3',
          kind: 'REGULAR',
          from: new Date(Date.UTC(2025, 5, 1)),
          to: new Date(Date.UTC(2025, 6, 1)),
        },
      ],
      [
        'one merchant, whole year',
        {
          merchantId: 'merchant-3',
          kind: 'REGULAR',
          from: new Date(YEAR_START),
          to: new Date(YEAR_START + YEAR_MS),
        },
      ],
      [
        'whole programme, one month',
        {
          merchantId: null,
          kind: 'REGULAR',
          from: new Date(Date.UTC(2025, 5, 1)),
          to: new Date(Date.UTC(2025, 6, 1)),
        },
      ],
      [
        'whole programme, whole year',
        { merchantId: null, kind: 'REGULAR', from: new Date(YEAR_START), to: new Date(YEAR_START + YEAR_MS) },
      ],
    ];
    // Every report first, then the baselines: a baseline can take minutes, and the report's
    // timings should not include reconnecting after it.
    const reports = [];
    for (const [, q] of cases) reports.push(await timed(() => overHttp(q), REPEATS));
    for (const [i, [name, q]] of cases.entries()) {
      const report = reports[i];
      const baseline = await timed(() => raw(q), 1);
      const { breakageRate: _rate, ...figures } = report.result as Figures & { breakageRate: number };
      if (JSON.stringify(figures) !== JSON.stringify(baseline.result))
        throw new Error(
          `${name}: report ${JSON.stringify(figures)} differs from raw SQL ${JSON.stringify(baseline.result)}`,
        );
      console.log(
        `liability  ${`${name} (ms)`.padEnd(36)} ${report.ms.toFixed(1).padStart(9)} ms  (raw SQL aggregate ${baseline.ms.toFixed(1)} ms, ratio ${(report.ms / baseline.ms).toFixed(3)}; issued ${figures.issued}, outstanding ${figures.outstanding})`,
      );
    }
    console.log(
      `liability  ${db}, ${seeded} entries: pointsLiability over GraphQL HTTP on the ledger (median of ${REPEATS}) vs the same figures by the joined SQL aggregate (one run); both equal`,
    );
  } finally {
    await ledger.stop();
    if (mysqlUrl) await dropMysqlDatabase(mysqlUrl, `${prefix}_ledger`).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
