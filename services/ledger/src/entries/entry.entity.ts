import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Every kind of ledger movement: the contract's six plus the two-phase hold's own. */
export enum EntryType {
  EARN = 'EARN',
  REDEEM = 'REDEEM',
  EXPIRE = 'EXPIRE',
  REVERSE = 'REVERSE',
  ADJUST = 'ADJUST',
  COMPENSATE = 'COMPENSATE',
  HOLD = 'HOLD',
  RELEASE = 'RELEASE',
  RESTORE = 'RESTORE',
}

/** An immutable ledger entry: inserted once, never updated or deleted. */
@Entity({ name: 'ledger_entries' })
@Index('ux_entries_member_sequence', ['memberId', 'sequence'], { unique: true })
@Index('ix_entries_created', ['createdAt'])
@Index('ix_entries_merchant', ['merchantId', 'createdAt'])
@Index('ix_entries_source', ['sourceType', 'sourceId'])
export class EntryRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  /** 1 for the member's first entry, +1 with every entry, all kinds together. */
  @Column({ type: 'integer' })
  sequence: number;

  @Column({ type: 'varchar', length: 16 })
  kind: string;

  @Column({ type: 'varchar', length: 16 })
  type: EntryType;

  /** Signed: positive credits, negative debits. */
  @Column({ type: 'integer' })
  points: number;

  /** Balance of this entry's kind after it. */
  @Column({ type: 'integer' })
  balanceAfter: number;

  @Column({ type: 'varchar', length: 500 })
  description: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  merchantId: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  campaignId: string | null;

  /** What caused it in the calling service, e.g. `purchase` / `<purchaseId>`. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  sourceType: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  sourceId: string | null;

  /** The lot a credit created, or the lot an EXPIRE wrote off. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  lotId: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  holdId: string | null;

  /** For credits: when the lot expires (null: never). */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  expiresAt: Date | null;

  /** Who caused it: `service:<name>`, `admin:<sub>`, `system:expiry`. */
  @Column({ type: 'varchar', length: 80 })
  actor: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}

/** An entry read with its merchant's name from the ledger's copy (null: no copy yet). */
export type NamedEntryRow = EntryRow & { merchantName?: string | null };
