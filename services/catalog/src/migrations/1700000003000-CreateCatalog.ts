import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const id = { type: 'varchar', length: '36' } as const;
const at = { type: 'datetime', precision: 3 } as const;

export class CreateCatalog1700000003000 implements MigrationInterface {
  name = 'CreateCatalog1700000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'rewards',
        columns: [
          { name: 'id', ...id, isPrimary: true },
          { name: 'merchantId', ...id, isNullable: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'kind', type: 'varchar', length: '20' },
          { name: 'terms', type: 'text', isNullable: true },
          { name: 'listPointsPrice', type: 'int' },
          { name: 'cashPrice', type: 'int', default: 0 },
          { name: 'pointKind', type: 'varchar', length: '10' },
          { name: 'acceptsAnyKind', type: 'boolean', default: false },
          { name: 'stock', type: 'int', isNullable: true },
          { name: 'perMemberLimit', type: 'int', isNullable: true },
          { name: 'minTier', type: 'varchar', length: '16', isNullable: true },
          { name: 'personal', type: 'boolean', default: false },
          { name: 'active', type: 'boolean', default: true },
          { name: 'delistReason', type: 'varchar', length: '500', isNullable: true },
          { name: 'createdAt', ...at },
          { name: 'updatedAt', ...at },
        ],
      }),
    );
    await q.createIndex(
      'rewards',
      new TableIndex({ name: 'ix_rewards_merchant', columnNames: ['merchantId', 'id'] }),
    );
    await q.createIndex(
      'rewards',
      new TableIndex({ name: 'ix_rewards_active', columnNames: ['active', 'id'] }),
    );
    await q.createTable(
      new Table({
        name: 'price_rules',
        columns: [
          { name: 'id', ...id, isPrimary: true },
          { name: 'rewardId', ...id },
          { name: 'label', type: 'varchar', length: '100' },
          { name: 'pointsPrice', type: 'int' },
          { name: 'startsAt', ...at },
          { name: 'endsAt', ...at },
          { name: 'createdAt', ...at },
        ],
      }),
    );
    await q.createIndex(
      'price_rules',
      new TableIndex({ name: 'ix_price_rules_reward', columnNames: ['rewardId', 'endsAt'] }),
    );
    await q.createTable(
      new Table({
        name: 'reward_audience',
        columns: [
          { name: 'rewardId', ...id, isPrimary: true },
          { name: 'memberId', ...id, isPrimary: true },
          { name: 'addedAt', ...at },
        ],
      }),
    );
    await q.createIndex(
      'reward_audience',
      new TableIndex({ name: 'ix_reward_audience_member', columnNames: ['memberId'] }),
    );
    await q.createTable(
      new Table({
        name: 'redemptions',
        columns: [
          { name: 'id', ...id, isPrimary: true },
          { name: 'rewardId', ...id },
          { name: 'memberId', ...id },
          { name: 'merchantId', ...id, isNullable: true },
          { name: 'rewardName', type: 'varchar', length: '100' },
          { name: 'quantity', type: 'int' },
          { name: 'unitPoints', type: 'int' },
          { name: 'points', type: 'int' },
          { name: 'pointKind', type: 'varchar', length: '10' },
          { name: 'cashAmount', type: 'int' },
          { name: 'status', type: 'varchar', length: '12' },
          { name: 'requestedBy', type: 'varchar', length: '120' },
          { name: 'idempotencyKey', type: 'varchar', length: '200' },
          { name: 'holdId', type: 'varchar', length: '64', isNullable: true },
          { name: 'captured', type: 'boolean', default: false },
          { name: 'settlementDue', type: 'boolean', default: false },
          { name: 'compensationPoints', type: 'int', default: 0 },
          { name: 'cancelReason', type: 'varchar', length: '500', isNullable: true },
          { name: 'createdAt', ...at },
          { name: 'updatedAt', ...at },
        ],
      }),
    );
    await q.createIndex(
      'redemptions',
      new TableIndex({
        name: 'ux_redemptions_request',
        columnNames: ['requestedBy', 'idempotencyKey'],
        isUnique: true,
      }),
    );
    await q.createIndex(
      'redemptions',
      new TableIndex({ name: 'ix_redemptions_member', columnNames: ['memberId', 'createdAt', 'id'] }),
    );
    await q.createIndex(
      'redemptions',
      new TableIndex({ name: 'ix_redemptions_reward', columnNames: ['rewardId', 'memberId', 'status'] }),
    );
    await q.createIndex(
      'redemptions',
      new TableIndex({ name: 'ix_redemptions_merchant', columnNames: ['merchantId', 'createdAt', 'id'] }),
    );
    await q.createIndex(
      'redemptions',
      new TableIndex({ name: 'ix_redemptions_status', columnNames: ['status', 'updatedAt'] }),
    );
    await q.createTable(
      new Table({
        name: 'redemption_transitions',
        columns: [
          { name: 'id', ...id, isPrimary: true },
          { name: 'redemptionId', ...id },
          { name: 'fromStatus', type: 'varchar', length: '12', isNullable: true },
          { name: 'toStatus', type: 'varchar', length: '12' },
          { name: 'actor', type: 'varchar', length: '120' },
          { name: 'reason', type: 'varchar', length: '500' },
          { name: 'at', ...at },
        ],
      }),
    );
    await q.createIndex(
      'redemption_transitions',
      new TableIndex({ name: 'ix_redemption_transitions_redemption', columnNames: ['redemptionId', 'at'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('redemption_transitions');
    await q.dropTable('redemptions');
    await q.dropTable('reward_audience');
    await q.dropTable('price_rules');
    await q.dropTable('rewards');
  }
}
