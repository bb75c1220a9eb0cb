import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Purchases (and their reversing refunds) handled before the invitee's referral existed. */
export class EarlyPurchases1700000005100 implements MigrationInterface {
  name = 'EarlyPurchases1700000005100';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'referral_early_purchases',
        columns: [
          { name: 'memberId', type: 'varchar', length: '36', isPrimary: true },
          { name: 'purchaseId', type: 'varchar', length: '64' },
          { name: 'merchantId', type: 'varchar', length: '64', isNullable: true },
          { name: 'amount', type: 'integer' },
          { name: 'purchasedAt', type: 'datetime', precision: 3 },
          { name: 'recordedAt', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'referral_early_refunds',
        columns: [
          { name: 'memberId', type: 'varchar', length: '36', isPrimary: true },
          { name: 'purchaseId', type: 'varchar', length: '64' },
          { name: 'refundId', type: 'varchar', length: '64', isNullable: true },
          { name: 'refundedTotal', type: 'integer' },
          { name: 'refundedAt', type: 'datetime', precision: 3 },
          { name: 'recordedAt', type: 'datetime', precision: 3 },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('referral_early_refunds');
    await q.dropTable('referral_early_purchases');
  }
}
