import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `campaigns.awardedPoints` sums every award of a campaign: a national campaign without a budget
 * passes 2^31 points (10 million members × 215 points), where a 32-bit INT on MySQL would refuse the
 * awarding transaction and leave the purchase's postings pending for ever. 64 bits (SQLite's
 * INTEGER already is).
 */
export class WideAwardedPoints1700000004200 implements MigrationInterface {
  name = 'WideAwardedPoints1700000004200';

  async up(q: QueryRunner): Promise<void> {
    await q.changeColumn(
      'campaigns',
      'awardedPoints',
      new TableColumn({ name: 'awardedPoints', type: 'bigint', default: 0 }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.changeColumn(
      'campaigns',
      'awardedPoints',
      new TableColumn({ name: 'awardedPoints', type: 'integer', default: 0 }),
    );
  }
}
