/**
 * The database server's share of a benchmark's CPU. A purchase's rate on this machine is set by
 * the CPU that everything on it spends per purchase — the platform, the clients and, on MariaDB,
 * the server itself, all on the same cores — so the purchase bench counts the server's CPU too and
 * can say what a target leaves for the platform. Read from `/proc/<pid>/stat` of the local
 * `mariadbd` (or `mysqld`); on another host, or off Linux, there is nothing to read and the bench
 * says so.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createConnection, type RowDataPacket } from 'mysql2/promise';

const SERVER_NAMES = new Set(['mariadbd', 'mysqld']);
// /proc reports CPU in USER_HZ ticks, which Linux fixes at 100 per second for user space on
// every architecture Node runs on (sysconf(_SC_CLK_TCK)); Node has no sysconf to ask.
const MS_PER_TICK = 10;

/** The pid of the MySQL-family server on this machine, if one runs and the URL points here. */
function localServerPid(url: string): number | null {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) return null;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (SERVER_NAMES.has(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) return Number(entry);
    } catch {
      // The process ended while the list was read.
    }
  }
  return null;
}

/** User plus system CPU of `pid` so far, in ms (fields 14 and 15 of its stat, after the name). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The name (field 2) is in parentheses and may hold spaces; count fields after its close.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}

/**
 * A reader of the local database server's CPU time (ms, since it started), or `null` when the
 * server at `url` is not a process of this machine.
 */
export function serverCpuReader(url: string): (() => number) | null {
  const pid = localServerPid(url);
  return pid === null ? null : () => cpuMsOf(pid);
}

/** The server's counters of work done (global, since it started): rows written, commits, fsyncs. */
const COUNTERS = {
  inserted: 'Handler_write',
  updated: 'Handler_update',
  deleted: 'Handler_delete',
  'index reads': 'Handler_read_key',
  'handler commits': 'Handler_commit',
  fsyncs: 'Innodb_data_fsyncs',
} as const;
type Counter = keyof typeof COUNTERS;
/** The server's counters at one moment. */
export type Snapshot = Record<Counter, number>;

/** Snapshots of the server's counters. */
export interface ServerCounters {
  snapshot(): Promise<Snapshot>;
  close(): Promise<void>;
}

/** Counters read with `SHOW GLOBAL STATUS` over a connection of its own. */
export async function serverCounters(url: string): Promise<ServerCounters> {
  const connection = await createConnection({ uri: url });
  const names = Object.values(COUNTERS);
  return {
    async snapshot() {
      const [rows] = await connection.query<RowDataPacket[]>(
        `SHOW GLOBAL STATUS WHERE Variable_name IN (${names.map(() => '?').join(', ')})`,
        names,
      );
      const byName = new Map(rows.map((r) => [String(r.Variable_name), Number(r.Value)]));
      return eachCounter((k) => byName.get(COUNTERS[k]) ?? 0);
    },
    close: () => connection.end(),
  };
}

const eachCounter = (f: (k: Counter) => number) =>
  Object.fromEntries((Object.keys(COUNTERS) as Counter[]).map((k) => [k, f(k)])) as Snapshot;

/** How far each counter moved from `before` to `after`. */
export const difference = (before: Snapshot, after: Snapshot) => eachCounter((k) => after[k] - before[k]);

/** Two movements summed. */
export const add = (a: Snapshot, b: Snapshot) => eachCounter((k) => a[k] + b[k]);

/** A movement per unit, as "9.1 inserted, 4.0 updated, …". */
export function perUnit(moved: Snapshot, units: number): string {
  return (Object.keys(COUNTERS) as Counter[]).map((k) => `${(moved[k] / units).toFixed(1)} ${k}`).join(', ');
}
