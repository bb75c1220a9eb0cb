import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateNotices1700000003100 implements MigrationInterface {
  name = 'CreateNotices1700000003100';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'member_notices',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'memberId', type: 'varchar', length: '36' },
          { name: 'kind', type: 'varchar', length: '24' },
          { name: 'causeKey', type: 'varchar', length: '160' },
          { name: 'facts', type: 'text' },
          { name: 'createdAt', type: 'datetime', precision: 3 },
          { name: 'readAt', type: 'datetime', precision: 3, isNullable: true },
        ],
      }),
    );
    await q.createIndex(
      'member_notices',
      new TableIndex({
        name: 'ux_member_notices_cause',
        columnNames: ['memberId', 'causeKey'],
        isUnique: true,
      }),
    );
    await q.createIndex(
      'member_notices',
      new TableIndex({ name: 'ix_member_notices_member', columnNames: ['memberId', 'id'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('member_notices');
  }
}
