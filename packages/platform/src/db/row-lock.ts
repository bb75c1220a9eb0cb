import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** True on MySQL/MariaDB, where transactions run concurrently (SQLite's are serialized). */
export function isMysql(manager: EntityManager): boolean {
  return manager.connection.options.type === 'mysql';
}

/**
 * The one way to take row locks: a locking read (`FOR UPDATE`) on MySQL, which waits for and
 * then sees what concurrent transactions committed, where a plain read would see the
 * transaction's old snapshot. On SQLite the Transactor already serializes transactions, so the
 * plain read is exact and no lock clause exists. `skipLocked` lets several workers (relays,
 * sweepers) claim different rows instead of queueing on the same ones.
 */
export function forUpdate<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  options: { skipLocked?: boolean } = {},
): SelectQueryBuilder<T> {
  if (qb.connection.options.type !== 'mysql') return qb;
  qb.setLock('pessimistic_write');
  if (options.skipLocked) qb.setOnLocked('skip_locked');
  return qb;
}
