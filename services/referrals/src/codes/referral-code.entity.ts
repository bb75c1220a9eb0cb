import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A member's referral code (one per member, unique across members). */
@Entity({ name: 'referral_codes' })
export class ReferralCodeRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'varchar', length: 16, unique: true })
  code: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  /** When the member's first purchase was recorded (a code can no longer be applied after it). */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  firstPurchaseAt: Date | null;

  /** Set when the member's personal data was erased: the code no longer refers anyone. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  disabledAt: Date | null;
}
