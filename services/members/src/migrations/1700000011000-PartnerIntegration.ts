import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Partner API keys, webhook endpoints and the webhook delivery queue (issue 11). */
export class PartnerIntegration1700000011000 implements MigrationInterface {
  name = 'PartnerIntegration1700000011000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'partner_api_keys',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'merchantId', type: 'varchar', length: '36' },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'prefix', type: 'varchar', length: '20' },
          { name: 'secretHash', type: 'varchar', length: '64' },
          { name: 'createdAt', type: 'datetime', precision: 3 },
          { name: 'lastUsedAt', type: 'datetime', precision: 3, isNullable: true },
          { name: 'revokedAt', type: 'datetime', precision: 3, isNullable: true },
          { name: 'createdBy', type: 'varchar', length: '120' },
        ],
      }),
    );
    await q.createIndex(
      'partner_api_keys',
      new TableIndex({ name: 'ux_partner_api_keys_hash', columnNames: ['secretHash'], isUnique: true }),
    );
    await q.createIndex(
      'partner_api_keys',
      new TableIndex({ name: 'ix_partner_api_keys_merchant', columnNames: ['merchantId'] }),
    );
    await q.createTable(
      new Table({
        name: 'webhook_endpoints',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'merchantId', type: 'varchar', length: '36' },
          { name: 'url', type: 'varchar', length: '2000' },
          { name: 'events', type: 'varchar', length: '500' },
          { name: 'secret', type: 'varchar', length: '100' },
          { name: 'active', type: 'boolean' },
          { name: 'createdAt', type: 'datetime', precision: 3 },
          { name: 'deletedAt', type: 'datetime', precision: 3, isNullable: true },
          { name: 'createdBy', type: 'varchar', length: '120' },
        ],
      }),
    );
    await q.createIndex(
      'webhook_endpoints',
      new TableIndex({ name: 'ix_webhook_endpoints_merchant', columnNames: ['merchantId'] }),
    );
    await q.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          { name: 'id', type: 'varchar', length: '40', isPrimary: true },
          { name: 'endpointId', type: 'varchar', length: '36' },
          { name: 'merchantId', type: 'varchar', length: '36' },
          { name: 'eventId', type: 'varchar', length: '64' },
          { name: 'eventType', type: 'varchar', length: '60' },
          { name: 'body', type: 'text' },
          { name: 'status', type: 'varchar', length: '12' },
          { name: 'attempts', type: 'integer' },
          { name: 'nextAttemptAt', type: 'datetime', precision: 3 },
          { name: 'lockedUntil', type: 'datetime', precision: 3, isNullable: true },
          { name: 'giveUpAt', type: 'datetime', precision: 3 },
          { name: 'lastAttemptAt', type: 'datetime', precision: 3, isNullable: true },
          { name: 'lastStatusCode', type: 'integer', isNullable: true },
          { name: 'lastError', type: 'varchar', length: '500', isNullable: true },
          { name: 'createdAt', type: 'datetime', precision: 3 },
          { name: 'deliveredAt', type: 'datetime', precision: 3, isNullable: true },
        ],
      }),
    );
    await q.createIndex(
      'webhook_deliveries',
      new TableIndex({
        name: 'ux_webhook_deliveries_event',
        columnNames: ['endpointId', 'eventId'],
        isUnique: true,
      }),
    );
    await q.createIndex(
      'webhook_deliveries',
      new TableIndex({ name: 'ix_webhook_deliveries_due', columnNames: ['status', 'nextAttemptAt'] }),
    );
    await q.createIndex(
      'webhook_deliveries',
      new TableIndex({ name: 'ix_webhook_deliveries_endpoint', columnNames: ['endpointId', 'createdAt'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('webhook_deliveries');
    await q.dropTable('webhook_endpoints');
    await q.dropTable('partner_api_keys');
  }
}
