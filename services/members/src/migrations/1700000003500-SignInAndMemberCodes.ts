import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const at = (name: string, nullable = false) =>
  ({ name, type: 'datetime', precision: 3, isNullable: nullable }) as const;

export class SignInAndMemberCodes1700000003500 implements MigrationInterface {
  name = 'SignInAndMemberCodes1700000003500';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'sign_in_challenges',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'memberId', type: 'varchar', length: '36', isNullable: true },
          { name: 'codeHash', type: 'varchar', length: '64' },
          { name: 'attempts', type: 'integer' },
          at('expiresAt'),
          at('createdAt'),
          at('consumedAt', true),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'member_sessions',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'memberId', type: 'varchar', length: '36' },
          at('createdAt'),
          at('revokedAt', true),
          { name: 'revokedReason', type: 'varchar', length: '40', isNullable: true },
        ],
      }),
    );
    await q.createIndex(
      'member_sessions',
      new TableIndex({ name: 'ix_member_sessions_member', columnNames: ['memberId'] }),
    );
    await q.createTable(
      new Table({
        name: 'member_refresh_tokens',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'sessionId', type: 'varchar', length: '36' },
          { name: 'tokenHash', type: 'varchar', length: '64', isUnique: true },
          at('expiresAt'),
          at('createdAt'),
          at('retiredAt', true),
        ],
      }),
    );
    await q.createIndex(
      'member_refresh_tokens',
      new TableIndex({ name: 'ix_member_refresh_tokens_session', columnNames: ['sessionId'] }),
    );
    await q.createTable(
      new Table({
        name: 'member_codes',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'memberId', type: 'varchar', length: '36' },
          { name: 'codeHash', type: 'varchar', length: '64' },
          at('issuedAt'),
          at('expiresAt'),
          at('usedAt', true),
          { name: 'usedFor', type: 'varchar', length: '64', isNullable: true },
        ],
      }),
    );
    await q.createIndex(
      'member_codes',
      new TableIndex({ name: 'ix_member_codes_member_code', columnNames: ['memberId', 'codeHash'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('member_codes');
    await q.dropTable('member_refresh_tokens');
    await q.dropTable('member_sessions');
    await q.dropTable('sign_in_challenges');
  }
}
