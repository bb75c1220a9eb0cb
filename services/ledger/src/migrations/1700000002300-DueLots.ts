import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An index of the lots with points left, by expiry, for the expiry sweep's search for members
 * with lots due. `ix_lots_expires` (`expiresAt`, `remaining`) also holds every lot already
 * written off (remaining 0, and each expiry adds its lots), and a range `expiresAt <= now` walks
 * all of them on every batch before reaching a due lot: the search grew with the history.
 * SQLite: a partial index (`WHERE remaining > 0`), which queries saying `remaining > 0` use.
 * MariaDB has no partial indexes: a virtual column `dueAt`, the expiry while points are left and
 * NULL after, indexed; `dueAt <= now` skips the NULLs. The database keeps it, so every write of
 * `remaining` (debits, holds, restores, expiry) maintains it without a change to the writers.
 * `memberId` is in both (and `remaining`, in SQLite's, for its planner) so the search reads the
 * index alone.
 */
export class DueLots1700000002300 implements MigrationInterface {
  name = 'DueLots1700000002300';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'mysql') {
      await q.query(
        'CREATE INDEX "ix_lots_due" ON "ledger_lots" ("expiresAt", "memberId", "remaining") WHERE "remaining" > 0',
      );
      return;
    }
    await q.query(
      'ALTER TABLE `ledger_lots` ADD COLUMN `dueAt` datetime(3) AS (IF(`remaining` > 0, `expiresAt`, NULL)) VIRTUAL, ' +
        'ADD INDEX `ix_lots_due` (`dueAt`, `memberId`)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'mysql') {
      await q.query('DROP INDEX "ix_lots_due"');
      return;
    }
    await q.query('ALTER TABLE `ledger_lots` DROP INDEX `ix_lots_due`, DROP COLUMN `dueAt`');
  }
}
