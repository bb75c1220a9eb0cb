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
import { randomUUID } from 'node:crypto';
import { sqlDate } from '@loyalty/platform';
import { rows, type Baseline } from './ledger-raw';
import { median } from './stats';

const LOTS_PER_MEMBER = 100;
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
  line(cells: string[]): void;
}

async function seedCohort(b: ExpiryBench, earnedAt: Date, expiresAt: Date): Promise<void> {
  const memberCount = Math.ceil(b.lots / LOTS_PER_MEMBER);
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
        // Fields: id memberId sequence kind type points balanceAfter description merchantId
        // lotId expiresAt actor createdAt.
        entries.push(entryId, memberId, i + 1, 'REGULAR', 'EARN', 7, 7 * (i + 1), 'bench', 'shop');
        entries.push(lotId, sqlDate(expiresAt), 'service:bench', sqlDate(earnedAt));
        lots.push(lotId, memberId, 'REGULAR', entryId, 7, 7, sqlDate(earnedAt), sqlDate(expiresAt), 'shop');
      }
    }
    await b.query(
      `INSERT INTO ledger_members (memberId, lastSequence, createdAt) VALUES ${rows(group.length, 3)}`,
      streams,
    );
    await b.query(
      `INSERT INTO ledger_accounts (memberId, kind, balance, updatedAt) VALUES ${rows(group.length, 4)}`,
      accounts,
    );
    await b.query(
      `INSERT INTO ledger_entries (id, memberId, sequence, kind, type, points, balanceAfter, description, merchantId, lotId, expiresAt, actor, createdAt) VALUES ${rows(entries.length / 13, 13)}`,
      entries,
    );
    await b.query(
      `INSERT INTO ledger_lots (id, memberId, kind, entryId, points, remaining, earnedAt, expiresAt, merchantId) VALUES ${rows(lots.length / 9, 9)}`,
      lots,
    );
  }
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
  for (let r = 0; r < b.rounds; r += 1) await seedCohort(b, earnedAt, dueAt(r));
  await b.baseline.copyLedger();

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
