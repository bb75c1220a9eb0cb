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
  /** Runs statements on one connection of the ledger's database (seeding; MariaDB: as a bulk load, `BULK_LOAD`). */
  seed(statements: [string, unknown[]][]): Promise<void>;
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
 * The cohorts of due lots, one per round, `lots` each, all at once and set-based: ids drawn once
 * per row into scratch tables keyed by them (members; lots with their EARN entries' ids, and the
 * same pairs keyed by entry id), then members, accounts, EARN entries and lots by
 * `INSERT … SELECT`, as the ledger's credits write them: 100 lots of 7 points per member (the last
 * member of a cohort the rest), sequences 1…n with the running balance, each lot pointing at its
 * entry and back, origin EARN, cohort c due at `firstDue` + c minutes. Each insert reads its
 * scratch table in key order, so it needs no sort (sorting the million joined rows was most of
 * the time) and appends to the ledger's primary key; on MariaDB, into tables still empty (the
 * expiry part alone), as a bulk load.
 */
function seedStatements(
  mysql: boolean,
  lots: number,
  cohorts: number,
  earnedAt: Date,
  firstDue: Date,
): [string, unknown[]][] {
  const members = Math.ceil(lots / LOTS_PER_MEMBER);
  const [earned, due] = [sqlDate(earnedAt), sqlDate(firstDue)];
  const m = numbers(mysql, members * cohorts);
  const l = numbers(mysql, lots * cohorts);
  const div = mysql ? 'DIV' : '/';
  // Clustered by the key on both (InnoDB always; SQLite without a rowid).
  const keyed = mysql ? '' : ' WITHOUT ROWID';
  const id = 'varchar(36) NOT NULL';
  // A member's lots: 100, the last of a cohort the rest (j: its place in the cohort).
  const lotsOf = `${mysql ? 'LEAST' : 'MIN'}(${LOTS_PER_MEMBER}, ${lots} - ((m - 1) % ${members}) * ${LOTS_PER_MEMBER})`;
  const expires = mysql
    ? `DATE_ADD(?, INTERVAL x.c MINUTE)`
    : `strftime('%Y-%m-%d %H:%M:%f', ?, '+' || x.c || ' minutes')`;
  const pairs = '(m integer NOT NULL, i integer NOT NULL, c integer NOT NULL';
  return [
    [`CREATE TABLE bench_seed_members (m integer PRIMARY KEY, memberId ${id})${keyed}`, []],
    [`INSERT INTO bench_seed_members (m, memberId) ${m.with}SELECT seq, ${uuid(mysql)} FROM ${m.from}`, []],
    [`CREATE TABLE bench_seed_lots ${pairs}, lotId ${id} PRIMARY KEY, entryId ${id})${keyed}`, []],
    [
      // Lot k of cohort c: member c × members + k / 100 + 1, its (k mod 100) + 1-th.
      `INSERT INTO bench_seed_lots (m, i, c, lotId, entryId) ${l.with}` +
        `SELECT ((seq - 1) ${div} ${lots}) * ${members} + ((seq - 1) % ${lots}) ${div} ${LOTS_PER_MEMBER} + 1, ` +
        `((seq - 1) % ${lots}) % ${LOTS_PER_MEMBER} + 1, (seq - 1) ${div} ${lots}, ${uuid(mysql)}, ${uuid(mysql)} FROM ${l.from}`,
      [],
    ],
    [`CREATE TABLE bench_seed_entries ${pairs}, entryId ${id} PRIMARY KEY, lotId ${id})${keyed}`, []],
    [
      'INSERT INTO bench_seed_entries (m, i, c, entryId, lotId) SELECT m, i, c, entryId, lotId FROM bench_seed_lots',
      [],
    ],
    [
      'INSERT INTO ledger_members (memberId, lastSequence, createdAt) ' +
        `SELECT memberId, ${lotsOf}, ? FROM bench_seed_members ORDER BY memberId`,
      [earned],
    ],
    [
      'INSERT INTO ledger_accounts (memberId, kind, balance, updatedAt) ' +
        `SELECT memberId, 'REGULAR', ${POINTS} * ${lotsOf}, ? FROM bench_seed_members ORDER BY memberId`,
      [earned],
    ],
    [
      'INSERT INTO ledger_entries (id, memberId, sequence, kind, type, points, balanceAfter, description, merchantId, lotId, expiresAt, actor, createdAt) ' +
        `SELECT x.entryId, s.memberId, x.i, 'REGULAR', 'EARN', ${POINTS}, ${POINTS} * x.i, 'bench', 'shop', x.lotId, ${expires}, 'service:bench', ? ` +
        'FROM bench_seed_entries x JOIN bench_seed_members s ON s.m = x.m ORDER BY x.entryId',
      [due, earned],
    ],
    [
      'INSERT INTO ledger_lots (id, memberId, kind, entryId, points, remaining, earnedAt, expiresAt, merchantId, origin) ' +
        `SELECT x.lotId, s.memberId, 'REGULAR', x.entryId, ${POINTS}, ${POINTS}, ?, ${expires}, 'shop', 'EARN' ` +
        'FROM bench_seed_lots x JOIN bench_seed_members s ON s.m = x.m ORDER BY x.lotId',
      [earned, due],
    ],
    ['DROP TABLE bench_seed_entries', []],
    ['DROP TABLE bench_seed_lots', []],
    ['DROP TABLE bench_seed_members', []],
  ];
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
    await b.seed(seedStatements(b.kind === 'mysql', b.lots, b.rounds, earnedAt, firstDue));
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
    // The raw expiry already runs on copies of the ledger's tables.
    'raw above',
    '',
    '',
  ]);
  await b.relay.flush();
}
