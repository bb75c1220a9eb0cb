/**
 * Where a SQLite writer's time goes, statement by statement: every statement one better-sqlite3
 * connection runs from then on (TypeORM's BEGIN and COMMIT and the platform's own alike) is timed
 * by its text.
 * A COMMIT over 5 ms is also split, from the thread's `/proc/thread-self/schedstat`, into time on
 * the CPU, waiting for it, and blocked (the disk): those are the commits that cross the log's
 * checkpoint backstop (2026-12-04: 17 % of a lone writer's time at 10,000 pages). For
 * `bench/earn-loop.ts` (`EARN_LOOP_STATEMENTS=1`). Bench only: it wraps better-sqlite3's
 * statement methods for the whole process.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** The part of a better-sqlite3 connection and statement used here. */
export interface SqliteConnection {
  prepare(sql: string): Statement;
}
type Run = (...params: unknown[]) => unknown;
interface Statement {
  readonly source: string;
  readonly database: unknown;
  run: Run;
  all: Run;
  get: Run;
}

/** Milliseconds on the CPU and waiting for it, from this thread's scheduler statistics. */
function schedMs(): [number, number] {
  const [onCpu, waiting] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
  return [onCpu / 1e6, waiting / 1e6];
}

const SLOW_MS = 5;

/** Statement timing on one connection: {@link StatementTimer.report} per unit of work. */
export interface StatementTimer {
  /** Forgets what was timed so far (after a warm-up). */
  reset(): void;
  /** The dearest texts, per unit (an earn), and the slow commits, as printable lines. */
  report(units: number, top?: number): string[];
}

/** Starts timing the statements `connection` runs from now on. */
export function timeStatements(connection: SqliteConnection): StatementTimer {
  // By the statement's own text (normalized only for the report), so a call costs a look-up.
  const bySource = new Map<string, { calls: number; ms: number; commit: boolean }>();
  const slow = { count: 0, ms: 0, onCpu: 0, waiting: 0 };
  // On the statements' prototype, not on `prepare`: TypeORM keeps its BEGIN and COMMIT prepared
  // from the start. Only this connection's statements are counted.
  const proto = Object.getPrototypeOf(connection.prepare('SELECT 1')) as Statement;
  for (const method of ['run', 'all', 'get'] as const) {
    const call = proto[method];
    proto[method] = function (this: Statement, ...params: unknown[]) {
      if (this.database !== connection) return call.apply(this, params);
      let entry = bySource.get(this.source);
      if (!entry)
        bySource.set(this.source, (entry = { calls: 0, ms: 0, commit: /^\s*COMMIT/i.test(this.source) }));
      const sched = entry.commit ? schedMs() : null;
      const start = performance.now();
      try {
        return call.apply(this, params);
      } finally {
        const ms = performance.now() - start;
        entry.calls += 1;
        entry.ms += ms;
        if (sched && ms > SLOW_MS) {
          const [onCpu, waiting] = schedMs();
          slow.count += 1;
          slow.ms += ms;
          slow.onCpu += onCpu - sched[0];
          slow.waiting += waiting - sched[1];
        }
      }
    };
  }
  return {
    reset: () => {
      bySource.clear();
      Object.assign(slow, { count: 0, ms: 0, onCpu: 0, waiting: 0 });
    },
    report: (units, top = 8) => {
      const rows = [...bySource].sort((a, b) => b[1].ms - a[1].ms).slice(0, top);
      const lines = rows.map(
        ([source, { calls, ms }]) =>
          `${((1000 * ms) / units).toFixed(1).padStart(7)} µs per earn, ${(calls / units).toFixed(2)} calls: ${source.replace(/\s+/g, ' ').trim().slice(0, 90)}`,
      );
      // The run-queue figure is accounted when the thread is next scheduled, so it can spill over
      // a commit's edges: the split is approximate.
      const blocked = Math.max(0, slow.ms - slow.onCpu - slow.waiting);
      lines.push(
        `COMMITs over ${SLOW_MS} ms: ${slow.count}, ${slow.ms.toFixed(0)} ms (on the CPU ${slow.onCpu.toFixed(0)}, waiting for it ${slow.waiting.toFixed(0)}, blocked ${blocked.toFixed(0)})`,
      );
      return lines;
    },
  };
}
