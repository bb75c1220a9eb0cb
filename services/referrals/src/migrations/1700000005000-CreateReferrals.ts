import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateReferrals1700000005000 implements MigrationInterface {
  name = 'CreateReferrals1700000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'referral_codes',
        columns: [
          { name: 'memberId', type: 'varchar', length: '36', isPrimary: true },
          { name: 'code', type: 'varchar', length: '16', isUnique: true },
          { name: 'createdAt', type: 'datetime', precision: 3 },
          { name: 'firstPurchaseAt', type: 'datetime', precision: 3, isNullable: true },
          { name: 'disabledAt', type: 'datetime', precision: 3, isNullable: true },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'referrals',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'inviterId', type: 'varchar', length: '36' },
          { name: 'inviteeId', type: 'varchar', length: '36', isUnique: true },
          { name: 'code', type: 'varchar', length: '16' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'rejectionReason', type: 'varchar', length: '40', isNullable: true },
          { name: 'source', type: 'varchar', length: '20' },
          { name: 'registeredAt', type: 'datetime', precision: 3 },
          { name: 'rewardedAt', type: 'datetime', precision: 3, isNullable: true },
          { name: 'qualifyingPurchaseId', type: 'varchar', length: '64', isNullable: true },
          { name: 'qualifyingMerchantId', type: 'varchar', length: '64', isNullable: true },
          { name: 'qualifyingAmount', type: 'integer', isNullable: true },
          { name: 'qualifyingPurchaseAt', type: 'datetime', precision: 3, isNullable: true },
          { name: 'inviterPoints', type: 'integer', isNullable: true },
          { name: 'inviteePoints', type: 'integer', isNullable: true },
          { name: 'reversedAt', type: 'datetime', precision: 3, isNullable: true },
          { name: 'discountAmount', type: 'integer', default: 0 },
          { name: 'discountStatus', type: 'varchar', length: '16', isNullable: true },
          { name: 'updatedAt', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await q.createIndex(
      'referrals',
      new TableIndex({ name: 'ix_referrals_inviter', columnNames: ['inviterId', 'status', 'rewardedAt'] }),
    );
    await q.createIndex(
      'referrals',
      new TableIndex({ name: 'ix_referrals_purchase', columnNames: ['qualifyingPurchaseId'] }),
    );
    await q.createTable(
      new Table({
        name: 'referral_grants',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'referralId', type: 'varchar', length: '36' },
          { name: 'memberId', type: 'varchar', length: '36' },
          { name: 'role', type: 'varchar', length: '10' },
          { name: 'operation', type: 'varchar', length: '10' },
          { name: 'points', type: 'integer' },
          { name: 'idempotencyKey', type: 'varchar', length: '120', isUnique: true },
          { name: 'reversesGrantId', type: 'varchar', length: '36', isNullable: true },
          { name: 'status', type: 'varchar', length: '10' },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'lastError', type: 'varchar', length: '500', isNullable: true },
          { name: 'nextAttemptAt', type: 'datetime', precision: 3 },
          { name: 'ledgerEntryId', type: 'varchar', length: '64', isNullable: true },
          { name: 'shortfall', type: 'integer', isNullable: true },
          { name: 'createdAt', type: 'datetime', precision: 3 },
          { name: 'postedAt', type: 'datetime', precision: 3, isNullable: true },
        ],
      }),
    );
    await q.createIndex(
      'referral_grants',
      new TableIndex({ name: 'ix_referral_grants_due', columnNames: ['status', 'nextAttemptAt'] }),
    );
    await q.createIndex(
      'referral_grants',
      new TableIndex({ name: 'ix_referral_grants_referral', columnNames: ['referralId'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('referral_grants');
    await q.dropTable('referrals');
    await q.dropTable('referral_codes');
  }
}
