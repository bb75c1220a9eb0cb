import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The ledger's copy of a merchant's name (owned by the members service), so that a member's
 * history answers `merchant { name }` itself instead of a further round to the members subgraph.
 * Kept by `merchant.created`/`merchant.renamed`; a merchant the ledger has not heard of is asked
 * of the members service once (see MerchantNames).
 */
@Entity({ name: 'ledger_merchants' })
export class MerchantNameRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** The event's time of the name; null when copied from the members service on demand (any event wins). */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  namedAt: Date | null;
}
