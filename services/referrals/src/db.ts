import type { EntityManager, SelectQueryBuilder, ObjectLiteral } from 'typeorm';

/** True on MySQL/MariaDB, where transactions run concurrently (SQLite's are serialized). */
export function isMysql(manager: EntityManager): boolean {
  return manager.connection.options.type === 'mysql';
}

/**
 * A locking read on MySQL (`FOR UPDATE`: it waits for, and then sees, what concurrent
 * transactions committed, where a plain read would see the transaction's old snapshot). On
 * SQLite the transactor already serializes transactions, so a plain read is exact.
 */
export function forUpdate<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  manager: EntityManager,
): SelectQueryBuilder<T> {
  return isMysql(manager) ? qb.setLock('pessimistic_write') : qb;
}
