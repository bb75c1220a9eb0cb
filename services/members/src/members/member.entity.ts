import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A member of the programme. Contact data is personal information (PIPL): see consents/. */
@Entity({ name: 'members' })
export class MemberRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  displayName: string;

  /** Normalised (digits, optional leading +); unique when present. */
  @Column({ type: 'varchar', length: 20, nullable: true, unique: true })
  phone: string | null;

  /** Lower-cased; unique when present. */
  @Column({ type: 'varchar', length: 254, nullable: true, unique: true })
  email: string | null;

  @Column({ type: 'datetime', precision: 3 })
  joinedAt: Date;

  /** Set when the member's personal data was erased (PIPL); the id stays for the points trail. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  erasedAt: Date | null;

  /** Who registered the member: `self`, `partner:<merchantId>` or `admin`. */
  @Column({ type: 'varchar', length: 60 })
  registeredVia: string;
}
