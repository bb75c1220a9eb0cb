import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The chosen members a personal reward is offered to (C4, R8). */
@Entity({ name: 'reward_audience' })
export class RewardAudienceRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  rewardId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'datetime', precision: 3 })
  addedAt: Date;
}
