import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CampaignPointKind1700000004100 implements MigrationInterface {
  name = 'CampaignPointKind1700000004100';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'campaigns',
      new TableColumn({ name: 'pointKind', type: 'varchar', length: '10', default: "'REGULAR'" }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('campaigns', 'pointKind');
  }
}
