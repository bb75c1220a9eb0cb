import {
  Table,
  TableIndex,
  TableUnique,
  type MigrationInterface,
  type QueryRunner,
  type TableColumnOptions,
} from 'typeorm';

const id = (name: string, primary = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '36',
  isPrimary: primary,
});
const str = (name: string, length: number, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const int = (name: string, nullable = false, dflt?: number): TableColumnOptions => ({
  name,
  type: 'integer',
  isNullable: nullable,
  ...(dflt === undefined ? {} : { default: dflt }),
});
const time = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: 'datetime',
  precision: 3,
  isNullable: nullable,
});

export class CreateCampaigns1700000004000 implements MigrationInterface {
  name = 'CreateCampaigns1700000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'campaigns',
        columns: [
          id('id', true),
          str('name', 100),
          time('startsAt'),
          time('endsAt', true),
          { ...id('merchantId'), isNullable: true },
          str('merchantCategory', 40, true),
          str('tiers', 100, true),
          str('weekdays', 40, true),
          str('monthDays', 100, true),
          str('timeZone', 64),
          int('multiplierPct', true),
          int('bonusPoints', true),
          int('signUpBonus', true),
          str('firstOrder', 16, true),
          int('minAmount', true),
          int('perMemberCap', true),
          int('budget', true),
          int('awardedPoints', false, 0),
          str('validity', 40, true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ name: 'ix_campaigns_window', columnNames: ['startsAt', 'endsAt'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'campaign_member_usage',
        columns: [id('campaignId', true), id('memberId', true), int('points')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'merchant_earn_rates',
        columns: [
          id('merchantId', true),
          int('points'),
          int('per'),
          int('greenPoints'),
          int('greenPer'),
          time('updatedAt'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'purchases',
        columns: [
          id('id', true),
          id('merchantId'),
          str('orderId', 64),
          id('memberId'),
          int('amount'),
          str('currency', 3),
          int('greenAmount'),
          time('occurredAt'),
          time('recordedAt'),
          str('requestHash', 64),
          { name: 'firstPurchase', type: 'boolean' },
          int('refundedAmount', false, 0),
          { name: 'items', type: 'text' },
        ],
        uniques: [new TableUnique({ name: 'uq_purchases_order', columnNames: ['merchantId', 'orderId'] })],
        indices: [
          new TableIndex({ name: 'ix_purchases_member', columnNames: ['memberId', 'recordedAt'] }),
          new TableIndex({ name: 'ix_purchases_merchant', columnNames: ['merchantId', 'recordedAt'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'purchase_awards',
        columns: [
          id('id', true),
          id('purchaseId'),
          int('position'),
          str('ruleKey', 60),
          str('kind', 10),
          int('points'),
          int('reversedPoints', false, 0),
          str('reason', 300),
          { ...id('campaignId'), isNullable: true },
          id('postingId'),
        ],
        uniques: [new TableUnique({ name: 'uq_awards_rule', columnNames: ['purchaseId', 'ruleKey'] })],
      }),
    );
    await q.createTable(
      new Table({ name: 'member_activity', columns: [id('memberId', true), int('purchaseCount', false, 0)] }),
    );
    await q.createTable(
      new Table({
        name: 'refunds',
        columns: [
          id('id', true),
          id('merchantId'),
          str('refundId', 64),
          id('purchaseId'),
          int('amount'),
          str('requestHash', 64),
          time('createdAt'),
        ],
        uniques: [new TableUnique({ name: 'uq_refunds_key', columnNames: ['merchantId', 'refundId'] })],
        indices: [new TableIndex({ name: 'ix_refunds_purchase', columnNames: ['purchaseId'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'refund_reversals',
        columns: [
          id('id', true),
          id('refundRowId'),
          str('kind', 10),
          int('points'),
          str('reason', 300),
          id('postingId'),
        ],
        uniques: [new TableUnique({ name: 'uq_reversals_kind', columnNames: ['refundRowId', 'kind'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ledger_postings',
        columns: [
          id('id', true),
          { ...str('idempotencyKey', 200), isUnique: true },
          str('operation', 10),
          id('memberId'),
          str('kind', 10),
          int('points'),
          str('reason', 300),
          { ...id('merchantId'), isNullable: true },
          { ...id('campaignId'), isNullable: true },
          str('sourceType', 20),
          id('sourceId'),
          str('validity', 40, true),
          str('status', 10),
          int('attempts', false, 0),
          time('nextAttemptAt'),
          str('lastError', 500, true),
          str('ledgerEntryId', 100, true),
          time('expiresAt', true),
          int('reversed', true),
          int('shortfall', true),
          time('createdAt'),
          time('postedAt', true),
        ],
        indices: [
          new TableIndex({ name: 'ix_postings_due', columnNames: ['status', 'nextAttemptAt'] }),
          new TableIndex({ name: 'ix_postings_source', columnNames: ['sourceType', 'sourceId'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'signup_grants',
        columns: [
          id('memberId', true),
          id('campaignId', true),
          int('points'),
          id('postingId'),
          time('createdAt'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'validity_changes',
        columns: [
          id('id', true),
          str('validity', 40),
          time('effectiveAt'),
          time('announcedAt'),
          str('reason', 300),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'validity_changes',
      'signup_grants',
      'ledger_postings',
      'refund_reversals',
      'refunds',
      'member_activity',
      'purchase_awards',
      'purchases',
      'merchant_earn_rates',
      'campaign_member_usage',
      'campaigns',
    ]) {
      await q.dropTable(t);
    }
  }
}
