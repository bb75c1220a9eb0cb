import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { Sql } from './sql';

/** Column list and statement heads per entity, built once from its metadata. */
const shapes = new WeakMap<object, { columns: { property: string }[]; head: string; tuple: string }>();

/**
 * Multi-row INSERT of entity-shaped rows as prepared statements ({@link Sql}), without TypeORM's
 * per-entity insert machinery: the columns come from the entity's metadata (so a new column is
 * written without touching this), at most `chunk` rows per statement. Statements of up to
 * `preparedRows` rows stay prepared; longer ones are sent once (their shapes would crowd the
 * statement cache). Values go as given: no transformers, no column defaults. Nothing waits for
 * the answer ({@link Sql.later}): in a MySQL transaction the rows go with the next statement that
 * needs one, or with the COMMIT, where a failure (a duplicate key) fails the transaction.
 */
export async function bulkInsert<T extends ObjectLiteral>(
  sql: Sql,
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: readonly Partial<T>[],
  { chunk = 500, preparedRows = 1 }: { chunk?: number; preparedRows?: number } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const meta = manager.connection.getMetadata(target);
  let shape = shapes.get(meta);
  if (!shape) {
    const columns = meta.columns.filter((c) => !c.isGenerated);
    shape = {
      columns: columns.map((c) => ({ property: c.propertyName })),
      head: `INSERT INTO \`${meta.tableName}\` (${columns.map((c) => `\`${c.databaseName}\``).join(', ')}) VALUES `,
      tuple: `(${columns.map(() => '?').join(', ')})`,
    };
    shapes.set(meta, shape);
  }
  const { columns, head, tuple } = shape;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const params: unknown[] = [];
    for (const row of part) {
      for (const c of columns) params.push((row as Record<string, unknown>)[c.property] ?? null);
    }
    await sql.later(head + Array(part.length).fill(tuple).join(', '), params, {
      oneOff: part.length > preparedRows,
    });
  }
}

/** `items` in consecutive slices of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
