import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { bulkInsert } from '../db/bulk-insert';
import type { Sql } from '../db/sql';
import type { CommandRow } from './command.entity';

/** Rows inserted by one prepared statement at most (a purchase's few; beyond, sent as text). */
const PREPARED_ROWS = 8;

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

  /**
   * Inserts the commands as PENDING; returns the rows written (with their ids). With the
   * transaction's `sql` (hot paths), one prepared multi-row INSERT instead of the query builder,
   * unless a column needs TypeORM's conversion or default.
   *
   * They are due now, or after `postingMs` when the writer posts them itself once it commits
   * (`CommandPoster.postRows`, waiting that long at most): the background pass then leaves them
   * to it instead of sending the same commands a second time, which the receiver would have to
   * refuse as replays. A writer that crashes before posting leaves them due after that wait.
   */
  async enqueue(
    manager: EntityManager,
    commands: NewCommand<R>[],
    sql?: Sql,
    options: { postingMs?: number } = {},
  ): Promise<R[]> {
    const now = new Date();
    const due = new Date(now.getTime() + (options.postingMs ?? 0));
    const rows: R[] = commands.map((command) =>
      Object.assign(new this.entity(), command, {
        id: randomUUID(),
        status: 'PENDING' as const,
        attempts: 0,
        nextAttemptAt: due,
        lastError: null,
        createdAt: now,
        postedAt: null,
      }),
    );
    // Every column is given, so nothing is read back after the insert (and copies are inserted:
    // TypeORM's merging of reloaded columns could swap the ids of the objects passed in).
    if (rows.length && sql && (await this.insertPlain(manager, sql, rows))) return rows;
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

  /** The rows in one prepared INSERT ({@link bulkInsert}); false (nothing sent) when a column is TypeORM's to fill. */
  private async insertPlain(manager: EntityManager, sql: Sql, rows: R[]): Promise<boolean> {
    const columns = manager.connection.getMetadata(this.entity).columns;
    for (const row of rows)
      for (const c of columns) {
        const value = (row as Record<string, unknown>)[c.propertyName];
        if (c.transformer || c.embeddedMetadata || (value === undefined && !c.isNullable)) return false;
      }
    await bulkInsert(sql, manager, this.entity, rows, { preparedRows: PREPARED_ROWS });
    return true;
  }
}
