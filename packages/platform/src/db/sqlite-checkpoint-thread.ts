/**
 * Entry of a JS thread's SQLite checkpoint thread (see sqlite-checkpointer.ts): one connection
 * per registered database file, each running `PRAGMA wal_checkpoint(PASSIVE)` on a timer, so that
 * copying the write-ahead log into the database file, and its two fsyncs, happen here instead of
 * inside a commit on the thread that writes.
 */
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import type { FromCheckpointThread, ToCheckpointThread } from './sqlite-checkpoint.protocol';

/** The part of better-sqlite3 used here (the package ships no types of its own). */
interface Connection {
  pragma(sql: string): unknown;
  close(): void;
}
type ConnectionClass = new (file: string, options: { fileMustExist: boolean; timeout: number }) => Connection;
const Sqlite = createRequire(__filename)('better-sqlite3') as ConnectionClass;

interface Watched {
  file: string;
  /** Opened at the first tick, and again after a failure (the file may be gone meanwhile). */
  db: Connection | null;
  timer?: NodeJS.Timeout;
  backstopPages: number;
  /** Set when the log has reached the backstop: the next tick is skipped (see `tick`). */
  yieldToWriter: boolean;
  /** Set when the log is past half the backstop: ticks come faster (see `tick`). */
  nearBackstop: boolean;
  last: string;
  failing: boolean;
}

/** Checkpoint interval once the log is past half the backstop. */
const NEAR_BACKSTOP_INTERVAL_MS = 10;

const port = parentPort;
if (!port) throw new Error('sqlite-checkpoint-thread runs only as a worker thread');
const watched = new Map<number, Watched>();
const send = (message: FromCheckpointThread) => port.postMessage(message);

function open(file: string): Connection {
  // fileMustExist: a database dropped under us is not re-created empty. The busy timeout is 0:
  // a passive checkpoint never waits anyway, and nothing here may hold up a writer.
  const db = new Sqlite(file, { fileMustExist: true, timeout: 0 });
  try {
    // A fresh connection learns that the file is in WAL mode only from a first read; until then
    // a checkpoint is a no-op. This read is its own (autocommit) transaction and ends at once:
    // the thread never holds a snapshot, so it never stops the log from restarting.
    db.pragma('schema_version');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function close(w: Watched): void {
  try {
    w.db?.close();
  } catch {
    // Closing a connection whose file is gone can fail; there is nothing left to release.
  }
  w.db = null;
}

function tick(id: number, w: Watched): void {
  // SQLite restarts the log only when a write transaction begins with every frame copied, and
  // only a checkpoint that copies everything gets there. Ours never do while a writer keeps
  // appending (frames arrive during the copy), and they hold the checkpoint lock, so the
  // writer's own inline checkpoint past the backstop finds it busy: the log would grow
  // without bound. Once the log has reached the backstop, this thread therefore stays out of
  // the way for one interval, and the writer's next commit copies what little is left (what
  // arrived since our last checkpoint), and its next transaction restarts the log.
  if (w.yieldToWriter) {
    w.yieldToWriter = false;
    return;
  }
  try {
    w.db ??= open(w.file);
    const [row] = w.db.pragma('wal_checkpoint(PASSIVE)') as {
      busy: number;
      log: number;
      checkpointed: number;
    }[];
    w.yieldToWriter = row !== undefined && row.log >= w.backstopPages;
    // The writer's checkpoint at the backstop still syncs the log written since our last one,
    // on its thread; close to the backstop we checkpoint more often so that this is little.
    w.nearBackstop = row !== undefined && row.log >= w.backstopPages / 2;
    if (w.failing) {
      w.failing = false;
      send({ type: 'recovered', id });
    }
    // Reported when the result or the data changed (the writer committed: a log that restarted
    // may have come back to the same length), so an idle database is quiet.
    const result = row
      ? `${row.busy}/${row.log}/${row.checkpointed}/${JSON.stringify(w.db.pragma('data_version'))}`
      : '';
    if (row && result !== w.last) {
      w.last = result;
      send({ type: 'checkpointed', id, log: row.log, checkpointed: row.checkpointed, busy: row.busy !== 0 });
    }
  } catch (err) {
    close(w);
    if (!w.failing) {
      w.failing = true;
      send({ type: 'failed', id, message: err instanceof Error ? err.message : String(err) });
    }
  }
}

port.on('message', (message: ToCheckpointThread) => {
  if (message.type === 'add') {
    const { id, intervalMs } = message;
    // Each checkpoint is scheduled an interval after the previous one ended, never back to back:
    // the pause is when the writer's own checkpoint past the backstop can take the lock.
    const next = (): NodeJS.Timeout =>
      setTimeout(
        () => {
          tick(id, w);
          if (watched.get(id) === w) w.timer = next();
        },
        w.nearBackstop ? Math.min(intervalMs, NEAR_BACKSTOP_INTERVAL_MS) : intervalMs,
      );
    const w: Watched = {
      file: message.file,
      db: null,
      backstopPages: message.backstopPages,
      yieldToWriter: false,
      nearBackstop: false,
      last: '',
      failing: false,
    };
    w.timer = next();
    watched.set(message.id, w);
  } else {
    const w = watched.get(message.id);
    if (w) {
      clearTimeout(w.timer);
      close(w);
      watched.delete(message.id);
    }
    send({ type: 'removed', id: message.id });
  }
});
