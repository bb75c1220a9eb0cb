/**
 * The expiry part of the ledger bench: `LOTS` due lots (100 per member, in a consistent ledger:
 * EARN entries, lots, balances, sequences) per round, written off by the ledger's sweep
 * (`expireDue`) and by the raw set-based SQL on copies of the same tables (ledger-raw.ts).
 * Each round has its own cohort of members whose lots fall due one minute after the previous
 * cohort's, so every round writes off fresh lots on both sides; rounds alternate which side goes
 * first, and the figure is the median of the per-round ratios.
 *
 * The outbox relay is paused while a side is timed: publishing is the relay's work (measured by
 * the realtime bench) and the raw side has no relay, so both sides are timed writing the same
 * rows. The ledger's outbox is published (and checked) after the rounds.
 */
import { sqlDate } from '@loyalty/platform';
import { SQLITE_UUID, type Baseline } from './ledger-raw';
import { median } from './stats';

const LOTS_PER_MEMBER = 100;
/** Points per lot. */
const POINTS = 7;
const MINUTE = 60_000;

export interface ExpiryBench {
  kind: string;
  lots: number;
  rounds: number;
  /** Plain SQL on the ledger's database (seeding). */
  query(sql: string, params: unknown[]): Promise<unknown>;
  baseline: Baseline;
  /** The ledger's sweep: writes off everything due at `now`, resolves to the number of lots. */
  expireDue(now: Date): Promise<number>;
  relay: { start(): void; stop(): Promise<void>; flush(): Promise<void> };
  /** The ledger's invariant check (`checkLedger`). */
  check(): Promise<{ problems: string[]; lotsChecked: number }>;
  line(cells: string[]): void;
}

/** A v4-shaped random UUID per row, as the ledger's ids (SQLite: the sweep's own expression). */
const uuid = (mysql: boolean) => {
  if (!mysql) return SQLITE_UUID;
  const hex = (digits: number) => `LPAD(HEX(FLOOR(RAND() * ${16 ** digits})), ${digits}, '0')`;
  return `LOWER(CONCAT(${hex(8)}, '-', ${hex(4)}, '-4', ${hex(3)}, '-', ELT(1 + FLOOR(RAND() * 4), '8', '9', 'a', 'b'), ${hex(3)}, '-', ${hex(12)}))`;
};

/** The numbers 1…n as a table `seq(seq)`: MariaDB's SEQUENCE engine, a recursive CTE on SQLite. */
const numbers = (mysql: boolean, n: number) =>
  mysql
    ? { with: '', from: `seq_1_to_${n} seq` }
    : {
        with: `WITH RECURSIVE seq(seq) AS (SELECT 1 UNION ALL SELECT seq + 1 FROM seq WHERE seq < ${n}) `,
        from: 'seq',
      };

/**
 * A cohort of `lots` due lots, set-based: ids drawn once per row into two scratch tables (members;
 * lots with their EARN entries' ids), then members, accounts, EARN entries and lots by
 * `INSERT … SELECT`, as the ledger's credits write them: 100 lots of 7 points per member (the
 * last member the rest), sequences 1…n with the running balance, each lot pointing at its entry
 * and back, origin EARN. Rows go in in key order, so each table's B-tree is appended to.
 */
async function seedCohort(b: ExpiryBench, earnedAt: Date, expiresAt: Date): Promise<void> {
  const mysql = b.kind === 'mysql';
  const memberCount = Math.ceil(b.lots / LOTS_PER_MEMBER);
  const [earned, expires] = [sqlDate(earnedAt), sqlDate(expiresAt)];
  const m = numbers(mysql, memberCount);
  const l = numbers(mysql, b.lots);
  const div = mysql ? 'DIV' : '/';
  const statements: [string, unknown[]][] = [
    [
      `CREATE TABLE bench_seed_members AS ${m.with}SELECT seq AS m, ${uuid(mysql)} AS memberId FROM ${m.from}`,
      [],
    ],
    ['CREATE UNIQUE INDEX ux_bench_seed_members ON bench_seed_members (m)', []],
    [
      `CREATE TABLE bench_seed_lots AS ${l.with}SELECT (seq - 1) ${div} ${LOTS_PER_MEMBER} + 1 AS m, (seq - 1) % ${LOTS_PER_MEMBER} + 1 AS i, ` +
        `${uuid(mysql)} AS lotId, ${uuid(mysql)} AS entryId FROM ${l.from}`,
      [],
    ],
    [
      'INSERT INTO ledger_members (memberId, lastSequence, createdAt) ' +
        `SELECT memberId, MIN(${LOTS_PER_MEMBER}, ? - (m - 1) * ${LOTS_PER_MEMBER}), ? FROM bench_seed_members ORDER BY memberId`,
      [b.lots, earned],
    ],
    [
      'INSERT INTO ledger_accounts (memberId, kind, balance, updatedAt) ' +
        `SELECT memberId, 'REGULAR', ${POINTS} * MIN(${LOTS_PER_MEMBER}, ? - (m - 1) * ${LOTS_PER_MEMBER}), ? FROM bench_seed_members ORDER BY memberId`,
      [b.lots, earned],
    ],
    [
      'INSERT INTO ledger_entries (id, memberId, sequence, kind, type, points, balanceAfter, description, merchantId, lotId, expiresAt, actor, createdAt) ' +
        `SELECT x.entryId, s.memberId, x.i, 'REGULAR', 'EARN', ${POINTS}, ${POINTS} * x.i, 'bench', 'shop', x.lotId, ?, 'service:bench', ? ` +
        'FROM bench_seed_lots x JOIN bench_seed_members s ON s.m = x.m ORDER BY x.entryId',
      [expires, earned],
    ],
    [
      'INSERT INTO ledger_lots (id, memberId, kind, entryId, points, remaining, earnedAt, expiresAt, merchantId, origin) ' +
        `SELECT x.lotId, s.memberId, 'REGULAR', x.entryId, ${POINTS}, ${POINTS}, ?, ?, 'shop', 'EARN' ` +
        'FROM bench_seed_lots x JOIN bench_seed_members s ON s.m = x.m ORDER BY x.lotId',
      [earned, expires],
    ],
    ['DROP TABLE bench_seed_lots', []],
    ['DROP TABLE bench_seed_members', []],
  ];
  for (const [text, params] of statements)
    await b.query(mysql ? text.replaceAll('MIN(', 'LEAST(') : text, params);
}

const timed = async (work: () => Promise<number>) => {
  const t0 = process.hrtime.bigint();
  const n = await work();
  return { n, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
};

export async function benchExpiry(b: ExpiryBench): Promise<void> {
  const earnedAt = new Date(Date.now() - 400 * 86_400_000);
  const firstDue = new Date(Date.now() - 86_400_000);
  const dueAt = (round: number) => new Date(firstDue.getTime() + round * MINUTE);
  const seeding = await timed(async () => {
    for (let r = 0; r < b.rounds; r += 1) await seedCohort(b, earnedAt, dueAt(r));
    return b.rounds * b.lots;
  });
  const copying = await timed(async () => {
    await b.baseline.copyLedger();
    return 0;
  });
  // The seeded ledger must be one the ledger could have written, or the sweep is timed on nonsense.
  const seeded = await b.check();
  if (seeded.problems.length)
    throw new Error(`seeded ledger inconsistent: ${seeded.problems.slice(0, 3).join('; ')}`);
  console.log(
    `  seeded ${seeding.n.toLocaleString('en')} lots in ${seeding.seconds.toFixed(1)} s (${b.rounds} cohorts), ` +
      `copied for raw in ${copying.seconds.toFixed(1)} s; invariant check ok (${seeded.lotsChecked} lots)`,
  );

  const raw: number[] = [];
  const ledger: number[] = [];
  const ratio: number[] = [];
  await b.relay.stop();
  try {
    for (let r = 0; r < b.rounds; r += 1) {
      // Half a minute after this cohort fell due, before the next one does.
      const at = new Date(dueAt(r).getTime() + MINUTE / 2);
      const runRaw = () => timed(() => b.baseline.expire(at));
      const runLedger = () => timed(() => b.expireDue(at));
      const [x, y] =
        r % 2 ? [await runLedger(), await runRaw()].reverse() : [await runRaw(), await runLedger()];
      if (x.n !== b.lots || y.n !== b.lots)
        throw new Error(`round ${r}: expired ${y.n} (raw ${x.n}) lots, expected ${b.lots}`);
      raw.push(x.seconds);
      ledger.push(y.seconds);
      ratio.push(y.seconds / x.seconds);
      console.log(
        `  round ${r + 1}: raw ${x.seconds.toFixed(2)} s, ledger ${y.seconds.toFixed(2)} s (${(y.seconds / x.seconds).toFixed(2)}×)`,
      );
    }
  } finally {
    b.relay.start();
  }
  b.line([
    `${b.kind} expiry sweep, ${b.lots.toLocaleString('en')} lots (${b.rounds} rounds)`,
    '1',
    `${median(raw).toFixed(2)} s`,
    `${median(ledger).toFixed(2)} s`,
    `**${median(ratio).toFixed(2)}× the time**`,
    '',
  ]);
  await b.relay.flush();
}
