import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const id = (name: string, nullable = false) => ({
  name,
  type: 'varchar',
  length: '36',
  isNullable: nullable,
});
const at = (name: string, nullable = false) => ({
  name,
  type: 'datetime',
  precision: 3,
  isNullable: nullable,
});
const int = (name: string) => ({ name, type: 'integer' });
const text = (name: string, length: number, nullable = false) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});

export class CreateLedger1700000002000 implements MigrationInterface {
  name = 'CreateLedger1700000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'ledger_members',
        columns: [{ ...id('memberId'), isPrimary: true }, int('lastSequence'), at('createdAt')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ledger_accounts',
        columns: [
          { ...id('memberId'), isPrimary: true },
          { ...text('kind', 16), isPrimary: true },
          int('balance'),
          at('updatedAt'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ledger_entries',
        columns: [
          { ...id('id'), isPrimary: true },
          id('memberId'),
          int('sequence'),
          text('kind', 16),
          text('type', 16),
          int('points'),
          int('balanceAfter'),
          text('description', 500),
          id('merchantId', true),
          id('campaignId', true),
          text('sourceType', 40, true),
          text('sourceId', 100, true),
          id('lotId', true),
          id('holdId', true),
          at('expiresAt', true),
          text('actor', 80),
          at('createdAt'),
        ],
      }),
    );
    await q.createIndex(
      'ledger_entries',
      new TableIndex({
        name: 'ux_entries_member_sequence',
        columnNames: ['memberId', 'sequence'],
        isUnique: true,
      }),
    );
    await q.createIndex(
      'ledger_entries',
      new TableIndex({ name: 'ix_entries_created', columnNames: ['createdAt'] }),
    );
    await q.createIndex(
      'ledger_entries',
      new TableIndex({ name: 'ix_entries_merchant', columnNames: ['merchantId', 'createdAt'] }),
    );
    await q.createIndex(
      'ledger_entries',
      new TableIndex({ name: 'ix_entries_source', columnNames: ['sourceType', 'sourceId'] }),
    );
    await q.createTable(
      new Table({
        name: 'ledger_lots',
        columns: [
          { ...id('id'), isPrimary: true },
          id('memberId'),
          text('kind', 16),
          id('entryId'),
          int('points'),
          int('remaining'),
          at('earnedAt'),
          at('expiresAt', true),
          id('merchantId', true),
          id('campaignId', true),
          text('sourceType', 40, true),
          text('sourceId', 100, true),
        ],
      }),
    );
    await q.createIndex(
      'ledger_lots',
      new TableIndex({ name: 'ix_lots_member_kind', columnNames: ['memberId', 'kind', 'remaining'] }),
    );
    await q.createIndex(
      'ledger_lots',
      new TableIndex({ name: 'ix_lots_expires', columnNames: ['expiresAt', 'remaining'] }),
    );
    await q.createIndex(
      'ledger_lots',
      new TableIndex({ name: 'ix_lots_source', columnNames: ['sourceType', 'sourceId'] }),
    );
    await q.createTable(
      new Table({
        name: 'ledger_lot_moves',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          id('entryId'),
          id('lotId'),
          int('points'),
        ],
      }),
    );
    await q.createIndex(
      'ledger_lot_moves',
      new TableIndex({ name: 'ix_lot_moves_lot', columnNames: ['lotId'] }),
    );
    await q.createIndex(
      'ledger_lot_moves',
      new TableIndex({ name: 'ix_lot_moves_entry', columnNames: ['entryId'] }),
    );
    await q.createTable(
      new Table({
        name: 'ledger_lot_changes',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          id('lotId'),
          at('oldExpiresAt', true),
          at('newExpiresAt', true),
          text('reason', 500),
          text('actor', 80),
          at('changedAt'),
        ],
      }),
    );
    await q.createIndex(
      'ledger_lot_changes',
      new TableIndex({ name: 'ix_lot_changes_lot', columnNames: ['lotId'] }),
    );
    await q.createTable(
      new Table({
        name: 'ledger_holds',
        columns: [
          { ...id('id'), isPrimary: true },
          id('memberId'),
          text('kind', 16),
          int('points'),
          text('status', 16),
          at('expiresAt'),
          text('reason', 500),
          id('merchantId', true),
          id('holdEntryId'),
          id('resolvedEntryId', true),
          id('restoredEntryId', true),
          at('createdAt'),
          at('resolvedAt', true),
        ],
      }),
    );
    await q.createIndex(
      'ledger_holds',
      new TableIndex({ name: 'ix_holds_open', columnNames: ['status', 'expiresAt'] }),
    );
    await q.createTable(
      new Table({
        name: 'ledger_expiry_warnings',
        columns: [
          { ...id('id'), isPrimary: true },
          id('lotId'),
          id('memberId'),
          text('kind', 16),
          text('lead', 40),
          int('points'),
          at('expiresAt'),
          int('daysLeft'),
          text('status', 10),
          at('createdAt'),
        ],
      }),
    );
    await q.createIndex(
      'ledger_expiry_warnings',
      new TableIndex({
        name: 'ux_warnings_lot_lead',
        columnNames: ['lotId', 'lead', 'expiresAt'],
        isUnique: true,
      }),
    );
    await q.createIndex(
      'ledger_expiry_warnings',
      new TableIndex({ name: 'ix_warnings_member', columnNames: ['memberId', 'createdAt'] }),
    );
    await q.createTable(
      new Table({
        name: 'ledger_idempotency',
        columns: [
          { ...text('key', 200), isPrimary: true },
          text('operation', 40),
          text('requestHash', 64),
          text('resultRef', 80),
          at('createdAt'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ledger_reversals',
        columns: [
          { ...id('id'), isPrimary: true },
          id('memberId'),
          text('kind', 16),
          text('sourceType', 40),
          text('sourceId', 100),
          int('requested'),
          int('reversed'),
          int('shortfall'),
          id('entryId', true),
          at('createdAt'),
        ],
      }),
    );
    await q.createIndex(
      'ledger_reversals',
      new TableIndex({ name: 'ix_reversals_source', columnNames: ['memberId', 'sourceType', 'sourceId'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'ledger_reversals',
      'ledger_idempotency',
      'ledger_expiry_warnings',
      'ledger_holds',
      'ledger_lot_changes',
      'ledger_lot_moves',
      'ledger_lots',
      'ledger_entries',
      'ledger_accounts',
      'ledger_members',
    ]) {
      await q.dropTable(t);
    }
  }
}
