import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops `ix_lots_expires` (`expiresAt`, `remaining`): it has no reader left. The expiry sweep
 * moved to `ix_lots_due` (migration DueLots); the expiry warnings, its last reader, search
 * `ix_lots_due` too (`warnable` in expiry.sql.ts: on SQLite the partial index, the query saying
 * `remaining > 0`; on MariaDB through the virtual column `dueAt`). Every lot insert and every
 * write of `remaining` (debits, holds, restores, expiry) maintained one B-tree more for nothing.
 * Down recreates it as CreateLedger made it.
 */
export class DropLotsExpires1700000002500 implements MigrationInterface {
  name = 'DropLotsExpires1700000002500';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'mysql') {
      await q.query('DROP INDEX "ix_lots_expires"');
      return;
    }
    await q.query('ALTER TABLE `ledger_lots` DROP INDEX `ix_lots_expires`');
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'mysql') {
      await q.query('CREATE INDEX "ix_lots_expires" ON "ledger_lots" ("expiresAt", "remaining")');
      return;
    }
    await q.query('ALTER TABLE `ledger_lots` ADD INDEX `ix_lots_expires` (`expiresAt`, `remaining`)');
  }
}
