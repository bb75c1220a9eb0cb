import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The operator's merchant list, newest first, keyset-paginated on (createdAt, id). */
export class MerchantsByCreation1700000003200 implements MigrationInterface {
  name = 'MerchantsByCreation1700000003200';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'merchants',
      new TableIndex({ name: 'ix_merchants_created', columnNames: ['createdAt', 'id'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('merchants', 'ix_merchants_created');
  }
}
