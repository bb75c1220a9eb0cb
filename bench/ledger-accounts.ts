/** A benchmarked ledger's settings and its members (ledger.bench.ts, earn-loop.ts). */
import { PointKind, sqlDate } from '@loyalty/platform';
import { rows } from './ledger-raw';

/**
 * Settings of a ledger started for a benchmark: its own data directory and database prefix,
 * silent, a year's validity, and no expiry sweep while it is timed.
 */
export function benchLedgerSettings(dataDir: string, prefix: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    DATABASE_PREFIX: prefix,
    POINTS_VALIDITY: 'P1Y',
    EXPIRY_SWEEP_INTERVAL: 'PT1H',
    HOST: '127.0.0.1',
  };
}

/**
 * Inserts the members' `ledger_members` and account rows (500 at a time) and has the ledger's
 * member cache learn them (`ensure`), so that timed writes neither create rows nor ask members.
 * `also` runs on each chunk too (a raw baseline's own accounts).
 */
export async function seedLedgerMembers(
  ds: { query(sql: string, parameters: unknown[]): Promise<unknown> },
  ensure: (memberId: string) => Promise<unknown>,
  members: string[],
  also?: (chunk: string[]) => Promise<void>,
): Promise<void> {
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
    await also?.(part);
  }
  for (let i = 0; i < members.length; i += 100) await Promise.all(members.slice(i, i + 100).map(ensure));
}
