/** Messages between a JS thread and its SQLite checkpoint thread (see sqlite-checkpointer.ts). */

/** To the checkpoint thread. */
export type ToCheckpointThread =
  /**
   * Start checkpointing a database file every `intervalMs`; `backstopPages` is the main
   * connection's `wal_autocheckpoint`.
   */
  | { type: 'add'; id: number; file: string; intervalMs: number; backstopPages: number }
  /** Stop checkpointing it and close the thread's connection; answered with `removed`. */
  | { type: 'remove'; id: number };

/** From the checkpoint thread. */
export type FromCheckpointThread =
  /** A passive checkpoint ran (sent only when its result changed: an idle database is quiet). */
  | { type: 'checkpointed'; id: number; log: number; checkpointed: number; busy: boolean }
  /** The thread's connection is closed: the main connection may now close as the last one. */
  | { type: 'removed'; id: number }
  /** A checkpoint or open failed (logged once until it works again); retried next interval. */
  | { type: 'failed'; id: number; message: string }
  | { type: 'recovered'; id: number };
