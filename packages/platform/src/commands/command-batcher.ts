import DataLoader from 'dataloader';
import type { FindOptionsWhere } from 'typeorm';
import type { Transactor } from '../db/transactor';
import type { CommandRow } from './command.entity';

/** Rows marked by one prepared statement at most (a purchase's few; beyond, sent as text). */
const PREPARED_MARKS = 8;

/**
 * Marks a batch's rows posted in one UPDATE (a column's value per row by `CASE id`), each only if
 * still PENDING, as one update per row did: a batch is answered by one call, and one statement
 * per row cost more than the call's own work. The one statement is atomic by itself, so it runs
 * in autocommit (no BEGIN and COMMIT round trips).
 */
async function markPosted<R extends CommandRow>(
  transactor: Transactor,
  entity: new () => R,
  rows: R[],
  updates: Partial<R>[],
): Promise<void> {
  const meta = transactor.db.dataSource.getMetadata(entity);
  const properties = Object.keys(updates[0] ?? {});
  const columns = ['id', 'status', ...properties].map((p) => meta.findColumnWithPropertyName(p));
  if (columns.some((c) => !c || c.transformer)) {
    // Values a transformer writes are TypeORM's to convert: one update per row.
    await transactor.run(async ({ manager }) => {
      for (const [i, row] of rows.entries())
        await manager.update(
          entity,
          { id: row.id, status: 'PENDING' } as FindOptionsWhere<R>,
          updates[i] as never,
        );
    });
    return;
  }
  const [id, status, ...set] = columns.map((c) => `\`${c!.databaseName}\``);
  const ids = rows.map((r) => r.id);
  const sets: string[] = [];
  const params: unknown[] = [];
  const same = (v: unknown) => (v instanceof Date ? v.getTime() : v);
  properties.forEach((property, k) => {
    const values = updates.map((u) => u[property as keyof R] ?? null);
    if (values.every((v) => same(v) === same(values[0]))) {
      sets.push(`${set[k]} = ?`);
      params.push(values[0]);
    } else {
      sets.push(`${set[k]} = CASE ${id} ${values.map(() => 'WHEN ? THEN ?').join(' ')} END`);
      values.forEach((v, i) => params.push(ids[i], v));
    }
  });
  await transactor.autocommit((sql) =>
    sql.run(
      `UPDATE \`${meta.tableName}\` SET ${sets.join(', ')} WHERE ${id} IN (${ids.map(() => '?').join(', ')}) AND ${status} = ?`,
      [...params, ...ids, 'PENDING'],
      { oneOff: rows.length > PREPARED_MARKS },
    ),
  );
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/** What a {@link commandBatcher} needs of its poster. */
export interface CommandBatcherOptions<R extends CommandRow> {
  transactor: Transactor;
  entity: new () => R;
  /** The operation's batch handler: posts the rows in one call, answering each one's columns. */
  batch: (rows: R[]) => Promise<Partial<R>[]>;
  /** Most rows in one call (the peer's own limit). */
  maxBatchCall: number;
}

/**
 * One operation's batcher: commands given while the previous batch call is in flight wait for it
 * and then go together in the next, so that under load many writers' commands cost one call and
 * one marking statement (the peer's group commit sees them at once), while a lone writer's go at
 * once. Each command is answered with the columns it was marked posted with, or, when the call or
 * the marking failed, with the error (its caller then tries it alone).
 */
export function commandBatcher<R extends CommandRow>(
  options: CommandBatcherOptions<R>,
): DataLoader<R, Partial<R>> {
  let inFlight = false;
  const next: (() => void)[] = [];
  const release = () => {
    inFlight = false;
    next.shift()?.();
  };
  return new DataLoader<R, Partial<R>>(
    async (group) => {
      inFlight = true;
      const rows = [...group];
      let results: Partial<R>[];
      const postedAt = new Date();
      try {
        results = await options.batch(rows);
      } catch (error) {
        return rows.map(() => asError(error));
      } finally {
        // The next batch's call may go while this one is marked.
        release();
      }
      const updates = rows.map(
        (_, i) => ({ ...results[i], postedAt, status: 'POSTED', lastError: null }) as Partial<R>,
      );
      try {
        await markPosted(options.transactor, options.entity, rows, updates);
      } catch (error) {
        return rows.map(() => asError(error));
      }
      return updates;
    },
    {
      cache: false,
      maxBatchSize: options.maxBatchCall,
      // The rows of one caller (given together) share a batch; a batch given while a call is in
      // flight is held until that call is answered, gathering what comes meanwhile.
      batchScheduleFn: (dispatch) => {
        if (inFlight) next.push(dispatch);
        else queueMicrotask(dispatch);
      },
    },
  );
}
