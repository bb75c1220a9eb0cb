import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What the points-liability report needs to sum movements per issuing merchant from indexes
 * alone: each lot's origin (the type of the credit that created it), and on each lot move the
 * lot's merchant and kind and the entry's type and time. Existing rows are filled from the lots
 * and entries they point to; new rows get the values when they are written.
 */
export class LiabilityColumns1700000002100 implements MigrationInterface {
  name = 'LiabilityColumns1700000002100';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'ledger_lots',
      new TableColumn({ name: 'origin', type: 'varchar', length: '16', isNullable: true }),
    );
    await q.addColumns('ledger_lot_moves', [
      new TableColumn({ name: 'merchantId', type: 'varchar', length: '36', isNullable: true }),
      new TableColumn({ name: 'kind', type: 'varchar', length: '16', isNullable: true }),
      new TableColumn({ name: 'entryType', type: 'varchar', length: '16', isNullable: true }),
      new TableColumn({ name: 'createdAt', type: 'datetime', precision: 3, isNullable: true }),
    ]);
    const lots = q.connection.driver.escape('ledger_lots');
    const moves = q.connection.driver.escape('ledger_lot_moves');
    const entries = q.connection.driver.escape('ledger_entries');
    await q.query(
      `UPDATE ${lots} SET origin = (SELECT e.type FROM ${entries} e WHERE e.id = ${lots}.entryId)`,
    );
    await q.query(
      `UPDATE ${moves} SET ` +
        `merchantId = (SELECT l.merchantId FROM ${lots} l WHERE l.id = ${moves}.lotId), ` +
        `kind = (SELECT l.kind FROM ${lots} l WHERE l.id = ${moves}.lotId), ` +
        `entryType = (SELECT e.type FROM ${entries} e WHERE e.id = ${moves}.entryId), ` +
        `createdAt = (SELECT e.createdAt FROM ${entries} e WHERE e.id = ${moves}.entryId)`,
    );
    await q.createIndices('ledger_lots', [
      new TableIndex({
        name: 'ix_lots_issuer',
        columnNames: ['merchantId', 'kind', 'earnedAt', 'origin', 'points'],
      }),
      new TableIndex({ name: 'ix_lots_issued', columnNames: ['kind', 'earnedAt', 'origin', 'points'] }),
    ]);
    await q.createIndices('ledger_lot_moves', [
      new TableIndex({
        name: 'ix_lot_moves_issuer',
        columnNames: ['merchantId', 'kind', 'createdAt', 'entryType', 'points'],
      }),
      new TableIndex({
        name: 'ix_lot_moves_kind',
        columnNames: ['kind', 'createdAt', 'entryType', 'points'],
      }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('ledger_lot_moves', 'ix_lot_moves_kind');
    await q.dropIndex('ledger_lot_moves', 'ix_lot_moves_issuer');
    await q.dropIndex('ledger_lots', 'ix_lots_issued');
    await q.dropIndex('ledger_lots', 'ix_lots_issuer');
    await q.dropColumns('ledger_lot_moves', ['createdAt', 'entryType', 'kind', 'merchantId']);
    await q.dropColumn('ledger_lots', 'origin');
  }
}
