import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Multi-row INSERT of entity-shaped rows with the driver's own value conversion (dates as each
 * database stores them), without TypeORM's per-entity insert machinery: the expiry sweep writes
 * tens of thousands of rows per transaction, and this halves its CPU time.
 */
export async function bulkInsert<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: readonly Partial<T>[],
  chunk = 500,
): Promise<void> {
  if (rows.length === 0) return;
  const meta = manager.connection.getMetadata(target);
  const { driver } = manager.connection;
  const columns = meta.columns.filter((c) => !c.isGenerated);
  const head = `INSERT INTO ${driver.escape(meta.tableName)} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES `;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const params: unknown[] = [];
    for (const row of part) {
      for (const c of columns)
        params.push(
          driver.preparePersistentValue((row as Record<string, unknown>)[c.propertyName] ?? null, c),
        );
    }
    await manager.query(head + part.map(() => tuple).join(', '), params);
  }
}
