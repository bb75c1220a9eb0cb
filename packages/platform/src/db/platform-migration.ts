import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Outbox and inbox tables every service has. Listed first in each service's migrations. */
export class CreatePlatformTables1700000000000 implements MigrationInterface {
  name = 'CreatePlatformTables1700000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'outbox_events',
        columns: [
          {
            name: 'position',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'eventId', type: 'varchar', length: '36', isUnique: true },
          { name: 'topic', type: 'varchar', length: '100' },
          { name: 'eventKey', type: 'varchar', length: '100' },
          { name: 'payload', type: 'text' },
          { name: 'occurredAt', type: 'datetime', precision: 3 },
          { name: 'publishedAt', type: 'datetime', precision: 3, isNullable: true },
        ],
      }),
    );
    await q.createIndex(
      'outbox_events',
      new TableIndex({ name: 'ix_outbox_unpublished', columnNames: ['publishedAt', 'position'] }),
    );
    await q.createTable(
      new Table({
        name: 'inbox_events',
        columns: [
          { name: 'consumer', type: 'varchar', length: '60', isPrimary: true },
          { name: 'eventId', type: 'varchar', length: '36', isPrimary: true },
          { name: 'processedAt', type: 'datetime', precision: 3 },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('inbox_events');
    await q.dropTable('outbox_events');
  }
}
