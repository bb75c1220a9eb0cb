import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Green spend per member and category (`Member.greenImpact`), from purchase and refund events. */
export class GreenLines1700000002200 implements MigrationInterface {
  name = 'GreenLines1700000002200';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'ledger_green_lines',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'eventId', type: 'varchar', length: '64' },
          { name: 'memberId', type: 'varchar', length: '36' },
          { name: 'purchaseId', type: 'varchar', length: '36' },
          { name: 'purchaseAmount', type: 'integer' },
          { name: 'category', type: 'varchar', length: '40' },
          { name: 'amount', type: 'integer' },
          { name: 'points', type: 'integer' },
          { name: 'at', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await q.createIndices('ledger_green_lines', [
      new TableIndex({ name: 'ix_green_lines_member', columnNames: ['memberId', 'at'] }),
      new TableIndex({ name: 'ux_green_lines_event', columnNames: ['eventId', 'category'], isUnique: true }),
      new TableIndex({ name: 'ix_green_lines_purchase', columnNames: ['purchaseId'] }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('ledger_green_lines');
  }
}
