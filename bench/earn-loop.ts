/**
 * The ledger's earn alone, for looking into one setting at a time (not part of `pnpm bench`, which
 * compares against raw SQL in ledger.bench.ts): `credits.credit` at EARN_LOOP_WRITERS writers over
 * 10,000 accounts for EARN_LOOP_SECONDS after as long a warm-up, then earns per second, this
 * process's CPU per earn, the event-loop delay (a checkpoint inside a commit stalls every request
 * on the thread) and, on SQLite, the write-ahead log's size. Any platform setting passes through
 * (SQLITE_CHECKPOINT_INTERVAL=NEVER, MYSQL_URL=…).
 *
 *   pnpm build && node bench/dist/earn-loop.js
 *   EARN_LOOP_WRITERS=8 SQLITE_CHECKPOINT_INTERVAL=NEVER node bench/dist/earn-loop.js
 *   EARN_LOOP_WRITERS=32 EARN_LOOP_ACCOUNTS=1 node bench/dist/earn-loop.js   # one hot account
 *   EARN_LOOP_STATEMENTS=1 node bench/dist/earn-loop.js   # SQLite: time per statement and slow COMMITs
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dropMysqlDatabase, loadConfig } from '@loyalty/platform';
import { SERVICES } from '@loyalty/launcher';
import { benchLedgerSettings, seedLedgerMembers } from './ledger-accounts';
import { forDuration } from './stats';
import { timeStatements, type SqliteConnection, type StatementTimer } from './statement-timer';

const WRITERS = Number(process.env.EARN_LOOP_WRITERS ?? 1);
const SECONDS = Number(process.env.EARN_LOOP_SECONDS ?? 5);
const ACCOUNTS = Number(process.env.EARN_LOOP_ACCOUNTS ?? 10_000);
const STATEMENTS = process.env.EARN_LOOP_STATEMENTS === '1';

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'earn-loop-'));
  const prefix = `loop${randomBytes(4).toString('hex')}`;
  const config = loadConfig(benchLedgerSettings(dataDir, prefix));
  const ledger = await SERVICES.ledger.start({ config, port: 0 });
  const { app, runtime } = ledger;
  const ds = runtime.db.dataSource;
  let timer: StatementTimer | null = null;
  if (STATEMENTS && runtime.db.kind === 'sqlite') {
    timer = timeStatements(
      (ds.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection,
    );
  }
  try {
    const members = Array.from({ length: ACCOUNTS }, () => randomUUID());
    await seedLedgerMembers(ds, (m) => app.accounts.ensure(m), members);
    const earn = () =>
      app.ledger.credits
        .credit(
          {
            idempotencyKey: randomUUID(),
            memberId: members[Math.floor(Math.random() * members.length)],
            kind: 'REGULAR',
            points: 10,
            reason: 'bench',
            merchantId: 'shop',
          },
          'service:bench',
        )
        .then(() => undefined);
    await forDuration(WRITERS, SECONDS, earn);
    timer?.reset();
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const cpu = process.cpuUsage();
    const run = await forDuration(WRITERS, SECONDS, earn);
    const used = process.cpuUsage(cpu);
    delay.disable();
    const target = config.database('ledger');
    const wal =
      target.kind === 'sqlite' ? ` · log ${(statSync(`${target.file}-wal`).size / 1e6).toFixed(1)} MB` : '';
    console.log(
      `${target.kind}, ${WRITERS} writer(s): ${run.rate.toFixed(0)} earns/s · CPU ${((used.user + used.system) / run.done).toFixed(0)} µs per earn · event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms, longest ${(delay.max / 1e6).toFixed(0)} ms${wal}`,
    );
    for (const line of timer?.report(run.done) ?? []) console.log(line);
  } finally {
    await ledger.stop();
    const target = config.database('ledger');
    if (target.kind === 'mysql') await dropMysqlDatabase(target.serverUrl, target.database);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
