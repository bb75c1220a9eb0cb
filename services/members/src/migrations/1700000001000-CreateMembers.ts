import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateMembers1700000001000 implements MigrationInterface {
  name = 'CreateMembers1700000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'members',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'displayName', type: 'varchar', length: '100' },
          { name: 'phone', type: 'varchar', length: '20', isNullable: true, isUnique: true },
          { name: 'email', type: 'varchar', length: '254', isNullable: true, isUnique: true },
          { name: 'erasedAt', type: 'datetime', precision: 3, isNullable: true },
          { name: 'joinedAt', type: 'datetime', precision: 3 },
          { name: 'registeredVia', type: 'varchar', length: '60' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'merchants',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'category', type: 'varchar', length: '40' },
          { name: 'createdAt', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'consents',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'memberId', type: 'varchar', length: '36' },
          { name: 'purpose', type: 'varchar', length: '40' },
          { name: 'granted', type: 'boolean' },
          { name: 'version', type: 'varchar', length: '20' },
          { name: 'recordedAt', type: 'datetime', precision: 3 },
          { name: 'recordedVia', type: 'varchar', length: '60' },
        ],
      }),
    );
    await q.createIndex(
      'consents',
      new TableIndex({ name: 'ix_consents_member', columnNames: ['memberId'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('consents');
    await q.dropTable('merchants');
    await q.dropTable('members');
  }
}
