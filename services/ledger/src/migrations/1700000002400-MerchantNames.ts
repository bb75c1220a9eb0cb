import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The ledger's copy of merchant names (`LedgerEntry.merchant.name`). Starts empty: merchants
 * created before are copied from the members service the first time an entry shows them.
 */
export class MerchantNames1700000002400 implements MigrationInterface {
  name = 'MerchantNames1700000002400';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'ledger_merchants',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'namedAt', type: 'datetime', precision: 3, isNullable: true },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('ledger_merchants');
  }
}
