import { Column, PrimaryColumn } from 'typeorm';

/** PENDING: owed to the other service; POSTED: the other service has it. */
export type CommandStatus = 'PENDING' | 'POSTED';

/**
 * The columns every command outbox row has: a command owed to another service, written in the
 * transaction of the decision that caused it and posted after commit until the other service
 * has it. Each service declares its own `@Entity` (its own table, in its own database) extending
 * this, adding the command's parameters and its idempotency key (whose length is the table's).
 */
export abstract class CommandRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** Sent with every attempt: the receiver's de-duplication makes posting exactly-once. */
  abstract idempotencyKey: string;

  /** Which handler posts it (e.g. `CREDIT`, `REVERSE`). */
  @Column({ type: 'varchar', length: 10 })
  operation: string;

  @Column({ type: 'varchar', length: 10 })
  status: CommandStatus;

  /** Failed attempts so far (a command waiting for another is not failing). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'datetime', precision: 3 })
  nextAttemptAt: Date;

  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  postedAt: Date | null;
}
