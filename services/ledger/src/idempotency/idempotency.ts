import type { EntityManager } from 'typeorm';
import { ConflictError, requestHash, type Transactor, type UnitOfWork } from '@loyalty/platform';
import { IdempotencyRow } from './idempotency.entity';

export interface IdempotentWrite<T> {
  key: string;
  operation: string;
  /** Everything that defines the request (normalized); a replay must match it exactly. */
  params: unknown;
  /** The effect; returns the result and the reference stored with the key. */
  work(uow: UnitOfWork): Promise<{ result: T; ref: string }>;
  /** Rebuilds the first result from its stored reference (replays). */
  load(manager: EntityManager, ref: string): Promise<T>;
}

/**
 * Runs a write at most once per key: the key, the request hash and a reference to the result are
 * stored in the write's own transaction. A replay returns the first result; the same key with
 * other parameters is CONFLICT. Two concurrent first attempts race: the loser rolls back entirely
 * and then replays the winner's result, whatever it failed on.
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
    return await transactor.run(async (uow) => {
      const existing = await uow.manager.findOneBy(IdempotencyRow, { key: write.key });
      if (existing) return replay(uow.manager, existing);
      const { result, ref } = await write.work(uow);
      await uow.manager.insert(IdempotencyRow, {
        key: write.key,
        operation: write.operation,
        requestHash: hash,
        resultRef: ref,
        createdAt: new Date(),
      });
      return result;
    });
  } catch (error) {
    // A concurrent first attempt with the same key lost the race: it hit the key's primary key,
    // or (having waited on the member's lock) it failed on the state the winner left behind —
    // a hold the winner already captured, say. Rolled back, it answers as a replay would.
    const row = await transactor.read((m) => m.findOneBy(IdempotencyRow, { key: write.key }));
    if (!row) throw error;
    return transactor.read((m) => replay(m, row));
  }
}
