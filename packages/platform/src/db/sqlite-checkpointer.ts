import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { FromCheckpointThread, ToCheckpointThread } from './sqlite-checkpoint.protocol';

/**
 * The compiled entry, also when this module runs from its TypeScript source (jest): a worker
 * thread loads plain JavaScript, so `pnpm build` comes first either way. Should it be missing,
 * the thread fails to start, which is logged, and commits checkpoint inline as before.
 */
const ENTRY = join(__dirname, '..', '..', 'dist', 'db', 'sqlite-checkpoint-thread.js');

/** The result of a passive checkpoint, in frames of the write-ahead log. */
export interface CheckpointReport {
  /** Frames in the log. */
  log: number;
  /** Of those, frames now copied into the database file. */
  checkpointed: number;
  /** True when a writer held the log (a passive checkpoint then copies what it can). */
  busy: boolean;
}

/** A database file checkpointed by this JS thread's checkpoint thread. */
export interface CheckpointRegistration {
  readonly file: string;
  /** The checkpoint thread's last report (only changes are reported: idle databases are quiet). */
  readonly last: CheckpointReport | null;
  /** Resolves at the checkpoint thread's next report on this database. */
  nextReport(): Promise<CheckpointReport>;
  /**
   * Stops the checkpoints and closes the thread's connection. Call it before closing the main
   * connection: as the last connection, that one then checkpoints and deletes the log as SQLite
   * always does.
   */
  close(): Promise<void>;
}

interface Entry {
  file: string;
  logger: Logger;
  last: CheckpointReport | null;
  waiters: ((report: CheckpointReport) => void)[];
  removed?: () => void;
}

/** The checkpoint thread and what it watches; module state, so one per JS thread. */
interface CheckpointThread {
  worker: Worker;
  entries: Map<number, Entry>;
  /** Set when the thread is stopped on purpose (its exit is then no failure). */
  stopping: boolean;
}

let current: CheckpointThread | null = null;
let nextId = 1;

function startThread(): CheckpointThread {
  const worker = new Worker(ENTRY);
  // Never what keeps a process alive: a server is kept alive by its sockets, a CLI by its work.
  worker.unref();
  const thread: CheckpointThread = { worker, entries: new Map(), stopping: false };
  worker.on('message', (message: FromCheckpointThread) => {
    const entry = thread.entries.get(message.id);
    if (!entry) return;
    switch (message.type) {
      case 'checkpointed': {
        const report = { log: message.log, checkpointed: message.checkpointed, busy: message.busy };
        entry.last = report;
        for (const waiter of entry.waiters.splice(0)) waiter(report);
        break;
      }
      case 'removed':
        entry.removed?.();
        break;
      case 'failed':
        entry.logger.warn(
          { file: entry.file, reason: message.message },
          'background checkpoint failed; retrying (commits still checkpoint inline past the backstop)',
        );
        break;
      case 'recovered':
        entry.logger.info({ file: entry.file }, 'background checkpoints work again');
        break;
    }
  });
  const fail = (err: unknown) => {
    if (thread.stopping) return;
    thread.stopping = true;
    if (current === thread) current = null;
    // The databases keep their inline automatic checkpoint (the backstop), so losing the thread
    // costs latency, not correctness. It is not restarted for them: a failure would likely repeat.
    for (const entry of thread.entries.values()) {
      entry.logger.error(
        { err, file: entry.file },
        'SQLite checkpoint thread stopped; checkpoints run inline',
      );
      entry.removed?.();
    }
    thread.entries.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`checkpoint thread exited with code ${code}`)));
  return thread;
}

/**
 * This JS thread's checkpoint thread, if one runs: for tests (stopping it from outside is how
 * they check that its failure is survived).
 * @internal
 */
export function checkpointThreadOf(registration: CheckpointRegistration): Worker | null {
  return threads.get(registration) ?? null;
}
const threads = new WeakMap<CheckpointRegistration, Worker>();

/**
 * Has this JS thread's checkpoint thread (started with the first registration, stopped after
 * the last one closes) run `PRAGMA wal_checkpoint(PASSIVE)` on a WAL-mode SQLite file every
 * `intervalMs`, on its own connection; `backstopPages` is the main connection's
 * `wal_autocheckpoint`. The file must exist.
 */
export function registerForCheckpoints(
  file: string,
  options: { intervalMs: number; backstopPages: number },
  logger: Logger,
): CheckpointRegistration {
  const thread = (current ??= startThread());
  const id = nextId++;
  const entry: Entry = { file: resolve(file), logger, last: null, waiters: [] };
  thread.entries.set(id, entry);
  const post = (message: ToCheckpointThread) => thread.worker.postMessage(message);
  post({ type: 'add', id, file: entry.file, ...options });
  let closing: Promise<void> | null = null;
  const registration: CheckpointRegistration = {
    file: entry.file,
    get last() {
      return entry.last;
    },
    nextReport: () => new Promise((resolveReport) => entry.waiters.push(resolveReport)),
    close: () =>
      (closing ??= (async () => {
        if (!thread.entries.has(id)) return;
        await new Promise<void>((removed) => {
          entry.removed = removed;
          post({ type: 'remove', id });
        });
        thread.entries.delete(id);
        if (thread.entries.size === 0 && !thread.stopping) {
          thread.stopping = true;
          if (current === thread) current = null;
          await thread.worker.terminate();
        }
      })()),
  };
  threads.set(registration, thread.worker);
  return registration;
}
