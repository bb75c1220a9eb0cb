import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { CommandRow } from './command.entity';

/** The columns the outbox fills in itself; the caller gives the rest. */
type OutboxColumns = 'id' | 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'createdAt' | 'postedAt';

/** A command to write: its own parameters (and, optionally, result columns left null). */
export type NewCommand<R extends CommandRow> = Omit<R, OutboxColumns>;

/**
 * Writes commands owed to another service into a service's command table, inside the caller's
 * transaction (so a command exists exactly when the decision that caused it committed).
 */
export class CommandOutbox<R extends CommandRow> {
  constructor(private readonly entity: new () => R) {}

  /** Inserts the commands as PENDING and due now; returns the rows written (with their ids). */
  async enqueue(manager: EntityManager, commands: NewCommand<R>[]): Promise<R[]> {
    const now = new Date();
    const rows: R[] = commands.map((command) =>
      Object.assign(new this.entity(), command, {
        id: randomUUID(),
        status: 'PENDING' as const,
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        createdAt: now,
        postedAt: null,
      }),
    );
    // Every column is given, so nothing is read back after the insert (and copies are inserted:
    // TypeORM's merging of reloaded columns could swap the ids of the objects passed in).
    if (rows.length)
      await manager
        .createQueryBuilder()
        .insert()
        .into(this.entity)
        .values(rows.map((r) => ({ ...r }) as never))
        .updateEntity(false)
        .execute();
    return rows;
  }
}
