import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A partner merchant's API key. The secret itself is never stored, only its SHA-256. */
@Entity({ name: 'partner_api_keys' })
export class PartnerApiKeyRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_partner_api_keys_merchant')
  @Column({ type: 'varchar', length: 36 })
  merchantId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** The first characters of the secret, to recognise it in a list. */
  @Column({ type: 'varchar', length: 20 })
  prefix: string;

  @Index('ux_partner_api_keys_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  secretHash: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  revokedAt: Date | null;

  /** Who created it: `admin:<sub>` or `partner:<merchantId>` (the trail). */
  @Column({ type: 'varchar', length: 120 })
  createdBy: string;
}
