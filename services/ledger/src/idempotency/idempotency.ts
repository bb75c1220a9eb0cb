import type { EntityManager } from 'typeorm';
import { ConflictError, requestHash, type Transactor, type UnitOfWork } from '@loyalty/platform';
import { LedgerBatch } from '../ledger/ledger-batch';
import { IdempotencyRow } from './idempotency.entity';

export interface IdempotentWrite<T> {
  key: string;
  operation: string;
  /** Everything that defines the request (normalized); a replay must match it exactly. */
  params: unknown;
  /**
   * The reference the work will return, when known before it runs (a credit's pre-drawn entry
   * id): the key's row is then complete when inserted and needs no update.
   */
  ref?: string;
  /** What the work locks first (the member): see {@link Transactor.runGrouped}. */
  lockKey?: string;
  /**
   * The work only posts through a deferred posting (see `LedgerBatch`); with `ref` and
   * `lockKey` set, its key's row is then written with its batch, not on its own.
   */
  deferrable?: boolean;
  /** The effect; returns the result and the reference stored with the key. */
  work(uow: UnitOfWork): Promise<{ result: T; ref: string }>;
  /** Rebuilds the first result from its stored reference (replays). */
  load(manager: EntityManager, ref: string): Promise<T>;
}

const INSERT_KEY =
  'INSERT INTO `ledger_idempotency` (`key`, `operation`, `requestHash`, `resultRef`, `createdAt`) VALUES (?, ?, ?, ?, ?)';
const UPDATE_REF = 'UPDATE `ledger_idempotency` SET `resultRef` = ? WHERE `key` = ?';
/** Never returned by a work: a key's row holds it only inside the transaction that inserted it. */
const PENDING = 'pending';

/**
 * Runs a write at most once per key: the key, the request hash and a reference to the result are
 * stored in the write's own transaction. The key is inserted first, so a replay stops at its
 * primary key before taking any lock or reading anything, and a concurrent first attempt waits
 * on the key until the winner commits or rolls back. A replay returns the first result; the same
 * key with other parameters is CONFLICT. The write runs through group commit
 * ({@link Transactor.runGrouped}): concurrent writes share one commit, each refused on its own.
 */
export async function runIdempotent<T>(transactor: Transactor, write: IdempotentWrite<T>): Promise<T> {
  const hash = requestHash(write.operation, write.params);
  const replay = async (manager: EntityManager, row: IdempotencyRow): Promise<T> => {
    if (row.requestHash !== hash || row.operation !== write.operation) {
      throw new ConflictError(`idempotencyKey ${write.key} was already used for a different request`);
    }
    return write.load(manager, row.resultRef);
  };
  try {
    const deferrable = Boolean(write.deferrable && write.ref && write.lockKey);
    return await transactor.runGrouped(
      async (uow) => {
        const batch = deferrable ? LedgerBatch.of(uow) : null;
        if (batch) {
          // In a batch the key goes in with the batch's rows; a key taken before the batch fails
          // the batch's INSERT, and the batch then runs again one write per transaction.
          if (batch.hasKey(write.key))
            throw new ConflictError(`idempotencyKey ${write.key} is being written`);
          const { result } = await write.work(uow);
          batch.key(write.key, write.operation, hash, write.ref!, new Date());
          return result;
        }
        // Held back on MySQL until the work's first read (its lock): a taken key fails there,
        // before the lock is taken, in the same round trip.
        await uow.sql.later(INSERT_KEY, [write.key, write.operation, hash, write.ref ?? PENDING, new Date()]);
        const { result, ref } = await write.work(uow);
        if (ref !== write.ref) await uow.sql.later(UPDATE_REF, [ref, write.key], { expect: 1 });
        return result;
      },
      { key: write.lockKey, deferrable },
    );
  } catch (error) {
    // The key was taken (a replay, or a concurrent first attempt that won the race), or the
    // write failed on the state a winner left behind — a hold the winner already captured, say.
    // Rolled back, it answers as a replay would.
    const row = await transactor.read((m) => m.findOneBy(IdempotencyRow, { key: write.key }));
    if (!row) throw error;
    return transactor.read((m) => replay(m, row));
  }
}
