import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class TiersAndPrivacy1700000002000 implements MigrationInterface {
  name = 'TiersAndPrivacy1700000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'member_spend',
        columns: [
          { name: 'id', type: 'varchar', length: '120', isPrimary: true },
          { name: 'memberId', type: 'varchar', length: '36' },
          { name: 'purchaseId', type: 'varchar', length: '36' },
          { name: 'amount', type: 'integer' },
          { name: 'occurredAt', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await q.createIndex(
      'member_spend',
      new TableIndex({ name: 'ix_member_spend_member_time', columnNames: ['memberId', 'occurredAt'] }),
    );
    await q.createTable(
      new Table({
        name: 'privacy_requests',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'memberId', type: 'varchar', length: '36' },
          { name: 'kind', type: 'varchar', length: '20' },
          { name: 'requestedBy', type: 'varchar', length: '60' },
          { name: 'reason', type: 'varchar', length: '500' },
          { name: 'at', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await q.createIndex(
      'privacy_requests',
      new TableIndex({ name: 'ix_privacy_requests_member', columnNames: ['memberId'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('privacy_requests');
    await q.dropTable('member_spend');
  }
}
