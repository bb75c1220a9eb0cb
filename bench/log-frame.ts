/**
 * What one page of a SQLite commit costs on this machine. In write-ahead-log mode a COMMIT
 * appends every page the transaction changed to the log as a frame, each with two `pwrite`
 * calls (its 24-byte header, then the page); with `synchronous = NORMAL` (the ledger's and the
 * raw baselines' setting) nothing is synced. A lone ledger earn's commit writes 21 frames, the
 * minimal raw earn's 5 (`services/ledger/test/ledger.statements.int.test.ts`), so the ratio at
 * one writer moves with what a system call costs: at 5 µs a frame (a Firecracker VM) the
 * ledger's commit alone is about 110 µs, the minimal earn's 30. Measured in raw better-sqlite3
 * on a file of its own: transactions that each update one row in each of `n` tables (so their
 * COMMIT writes `n` frames), only the COMMIT timed, medians. Printed beside the ledger bench's
 * SQLite table.
 */
import { join } from 'node:path';
import { openSqlite } from './ledger-raw';
import { median } from './stats';

/** Frames of a lone ledger earn's commit, and of the minimal raw earn's. */
const LEDGER_FRAMES = 21;
const MINIMAL_FRAMES = 5;
const ROWS = 2_000;

/** Microseconds: a commit of the ledger's frames, of the minimal earn's, and one frame more. */
export interface LogFrameCost {
  ledgerCommit: number;
  minimalCommit: number;
  perFrame: number;
}

/** Median commit times over interleaved rounds of `count` transactions each, in `dir`. */
export function logFrameCost(dir: string, rounds = 5, count = 500): LogFrameCost {
  const db = openSqlite(join(dir, 'log-frame.sqlite'));
  try {
    // The log only grows while a round runs; it is emptied between rounds, untimed.
    db.pragma('wal_autocheckpoint = 0');
    const updates = Array.from({ length: LEDGER_FRAMES }, (_, t) => {
      db.exec(`CREATE TABLE t${t} (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)`);
      const insert = db.prepare(`INSERT INTO t${t} (id, v) VALUES (?, 0)`);
      db.transaction(() => {
        for (let id = 0; id < ROWS; id += 1) insert.run(id);
      })();
      return db.prepare(`UPDATE t${t} SET v = v + 1 WHERE id = ?`);
    });
    const begin = db.prepare('BEGIN');
    const commit = db.prepare('COMMIT');
    const commitOf = (frames: number): number => {
      const times: number[] = [];
      for (let k = 0; k < count; k += 1) {
        begin.run();
        // Rows far apart: each update changes a page of its own table.
        const id = (k * 7_919) % ROWS;
        for (let t = 0; t < frames; t += 1) updates[t].run(id);
        const started = process.hrtime.bigint();
        commit.run();
        times.push(Number(process.hrtime.bigint() - started) / 1000);
      }
      db.pragma('wal_checkpoint(TRUNCATE)');
      return median(times);
    };
    commitOf(LEDGER_FRAMES);
    const ledger: number[] = [];
    const minimal: number[] = [];
    for (let r = 0; r < rounds; r += 1) {
      ledger.push(commitOf(LEDGER_FRAMES));
      minimal.push(commitOf(MINIMAL_FRAMES));
    }
    const ledgerCommit = median(ledger);
    const minimalCommit = median(minimal);
    return {
      ledgerCommit,
      minimalCommit,
      perFrame: (ledgerCommit - minimalCommit) / (LEDGER_FRAMES - MINIMAL_FRAMES),
    };
  } finally {
    db.close();
  }
}

/** The line the ledger bench prints. */
export function logFrameLine(cost: LogFrameCost): string {
  return (
    `one SQLite log frame on this machine: ${cost.perFrame.toFixed(1)} µs; a commit of ${LEDGER_FRAMES} ` +
    `frames (a lone ledger earn's) ${cost.ledgerCommit.toFixed(0)} µs, of ${MINIMAL_FRAMES} ` +
    `(the minimal earn's) ${cost.minimalCommit.toFixed(0)} µs`
  );
}
