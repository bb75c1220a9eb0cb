import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An earn campaign (REQUIREMENTS R2, R4, R6, M2). Multipliers are stored in hundredths
 * (200 = ×2) so no float is ever stored; list columns are comma-separated.
 */
@Entity({ name: 'campaigns' })
@Index('ix_campaigns_window', ['startsAt', 'endsAt'])
export class CampaignRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'datetime', precision: 3 })
  startsAt: Date;

  /** Exclusive end; null: open-ended. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  endsAt: Date | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  merchantId: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  merchantCategory: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  tiers: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  weekdays: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  monthDays: string | null;

  @Column({ type: 'varchar', length: 64 })
  timeZone: string;

  @Column({ type: 'integer', nullable: true })
  multiplierPct: number | null;

  /** REGULAR or GREEN: the kind of points the campaign gives and multiplies. */
  @Column({ type: 'varchar', length: 10, default: 'REGULAR' })
  pointKind: string;

  @Column({ type: 'integer', nullable: true })
  bonusPoints: number | null;

  @Column({ type: 'integer', nullable: true })
  signUpBonus: number | null;

  /** PLATFORM or MERCHANT: only the member's first order (anywhere / at the merchant). */
  @Column({ type: 'varchar', length: 16, nullable: true })
  firstOrder: string | null;

  @Column({ type: 'integer', nullable: true })
  minAmount: number | null;

  /** R8: bonus once when the member's net spend in the window reaches this (minor units). */
  @Column({ type: 'integer', nullable: true })
  spendTarget: number | null;

  @Column({ type: 'integer', nullable: true })
  perMemberCap: number | null;

  @Column({ type: 'integer', nullable: true })
  budget: number | null;

  /**
   * Points given so far (kept in the awarding transaction, under this row's lock). 64-bit: the sum
   * of every award outgrows 32 bits; read back as a number (exact up to 2^53).
   */
  @Column({
    type: 'bigint',
    default: 0,
    transformer: { to: (v: number) => v, from: (v: unknown) => Number(v) },
  })
  awardedPoints: number;

  /** ISO-8601 duration or NEVER; null: the programme validity. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  validity: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}

/** Points a campaign has given one member (per-member caps). */
@Entity({ name: 'campaign_member_usage' })
export class CampaignUsageRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  campaignId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'integer' })
  points: number;
}
