import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

export class RefusalsAndCash1700000003100 implements MigrationInterface {
  name = 'RefusalsAndCash1700000003100';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'redemption_refusals',
        columns: [
          { name: 'requestedBy', type: 'varchar', length: '120', isPrimary: true },
          { name: 'idempotencyKey', type: 'varchar', length: '200', isPrimary: true },
          { name: 'rewardId', type: 'varchar', length: '36' },
          { name: 'memberId', type: 'varchar', length: '36' },
          { name: 'quantity', type: 'int' },
          { name: 'pointKind', type: 'varchar', length: '10', isNullable: true },
          { name: 'code', type: 'varchar', length: '40' },
          { name: 'message', type: 'varchar', length: '500' },
          { name: 'createdAt', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await q.addColumns('redemptions', [
      new TableColumn({ name: 'cashState', type: 'varchar', length: '10', default: "'NONE'" }),
      new TableColumn({ name: 'cashPaid', type: 'int', default: 0 }),
      new TableColumn({ name: 'cashRefunded', type: 'int', default: 0 }),
    ]);
    // Redemptions recorded before the cash state: a cash part is owed until recorded otherwise.
    await q.query(`UPDATE redemptions SET cashState = 'OWED' WHERE cashAmount > 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumns('redemptions', ['cashState', 'cashPaid', 'cashRefunded']);
    await q.dropTable('redemption_refusals');
  }
}
