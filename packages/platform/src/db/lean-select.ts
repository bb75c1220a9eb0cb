import type { EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { Database } from './data-source';
import type { Transactor } from './transactor';
import { sqlOnConnection, sqlOnPool, type RunOptions, type SqlRow } from './sql';

/** Sort of {@link EntityReader.whereIn}: property and direction, in order. */
export type LeanOrder<T> = readonly (readonly [keyof T & string, 'ASC' | 'DESC'])[];

/** A further condition of {@link EntityReader}: property, comparison, value. */
export type LeanCondition<T> = readonly [keyof T & string, '=' | '<' | '<=' | '>' | '>=', unknown];

/** How {@link EntityReader} filters, sorts and cuts its rows. */
export interface LeanOptions<T> {
  /** Conditions ANDed with the key's (values bound, dates as stored). */
  where?: readonly LeanCondition<T>[];
  order?: LeanOrder<T>;
  /** At most this many rows in all (not per key). */
  limit?: number;
}

/**
 * Batches up to this many keys keep their statement prepared on SQLite: DataLoader batches of a
 * request are small, and a larger one-off `IN (…)` would otherwise hold a statement per size.
 */
const PREPARED_KEYS = 16;

/** The comparisons a {@link LeanCondition} may make (checked: they are written into the SQL). */
const COMPARISONS: ReadonlySet<string> = new Set(['=', '<', '<=', '>', '>=']);

/**
 * Plain SQL rows on the read path, as {@link Transactor.read} reads: prepared once per text on
 * SQLite, dates bound as the UTC text both databases store. Identifiers in backticks, which both
 * databases read. Every statement is counted by the data source's query counter.
 */
export function readRows<R = SqlRow>(
  transactor: Transactor,
  sql: string,
  params: readonly unknown[] = [],
  options?: RunOptions,
): Promise<R[]> {
  const { db } = transactor;
  if (db.kind === 'sqlite')
    return transactor.read(() => sqlOnConnection(db, null).rows<R>(sql, params, options));
  // Straight on the driver's pool with mysql2's callback API: TypeORM's query runner goes through
  // mysql2's promise wrapper, which looks its module up again and captures a stack on every
  // statement (7 % of the campaigns thread under the purchase preview benchmark).
  return sqlOnPool(db).rows<R>(sql, params, options);
}

/**
 * Whole entities by one column `IN (…)`, for the DataLoaders on the hot read paths (a dashboard
 * asks for a member, a merchant, rewards, referrals by id). The SQL text is built once per
 * column, sort and batch size from TypeORM's own metadata, and rows are hydrated by the driver's
 * own `prepareHydratedValue`, so values come back exactly as `findBy` gives them (dates,
 * booleans, big integers) — without the query builder, which cost a fifth of the subgraphs' CPU
 * under the dashboard benchmark. Entities with relations or embedded columns are refused: their
 * hydration is more than one value per column.
 */
export class EntityReader<T extends ObjectLiteral> {
  private readonly metadata: EntityMetadata;
  private readonly texts = new Map<string, string>();
  /** Stored columns (a `@VirtualColumn` is computed by a query of its own). */
  private readonly columns: EntityMetadata['columns'];

  private readonly db: Database;

  constructor(
    private readonly transactor: Transactor,
    entity: EntityTarget<T>,
  ) {
    this.db = transactor.db;
    this.metadata = this.db.dataSource.getMetadata(entity);
    if (this.metadata.relations.length > 0 || this.metadata.embeddeds.length > 0) {
      throw new Error(`EntityReader: ${this.metadata.name} has relations or embedded columns`);
    }
    this.columns = this.metadata.columns.filter((c) => !c.isVirtualProperty);
  }

  /**
   * Rows whose `property` is one of `keys` (in any order unless `order` is given), read as
   * {@link Transactor.read} reads.
   */
  async whereIn(
    property: keyof T & string,
    keys: readonly unknown[],
    options: LeanOptions<T> = {},
  ): Promise<T[]> {
    if (keys.length === 0) return [];
    return this.select([property, keys.length], keys, options);
  }

  /** Rows meeting `options.where` (every row without it): a page of a list, say. */
  where(options: LeanOptions<T>): Promise<T[]> {
    return this.select(null, [], options);
  }

  private async select(
    key: readonly [string, number] | null,
    keys: readonly unknown[],
    options: LeanOptions<T>,
  ): Promise<T[]> {
    const { where = [], order = [], limit } = options;
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) {
      throw new Error(`EntityReader: bad limit ${limit}`);
    }
    const text = this.text(key, where, order, limit !== undefined);
    const params = [...keys, ...where.map(([, , v]) => v), ...(limit === undefined ? [] : [limit])];
    const rows = await readRows(this.transactor, text, params, { oneOff: keys.length > PREPARED_KEYS });
    return rows.map((row) => this.hydrate(row));
  }

  private text(
    key: readonly [string, number] | null,
    where: readonly LeanCondition<T>[],
    order: LeanOrder<T>,
    limited: boolean,
  ): string {
    const shape = [
      key?.join(' ') ?? '',
      where.map(([p, op]) => `${p} ${op}`).join(','),
      order.map(([p, d]) => `${p} ${d}`).join(','),
      limited,
    ].join('\u0000');
    let text = this.texts.get(shape);
    if (!text) {
      const { driver } = this.db.dataSource;
      const column = (name: string) => {
        const c = this.metadata.findColumnWithPropertyName(name);
        if (!c) throw new Error(`EntityReader: ${this.metadata.name} has no column ${name}`);
        return driver.escape(c.databaseName);
      };
      const columns = this.columns.map((c) => driver.escape(c.databaseName)).join(', ');
      const conditions = [
        ...(key ? [`${column(key[0])} IN (${Array.from({ length: key[1] }, () => '?').join(', ')})`] : []),
        ...where.map(([p, op]) => {
          if (!COMPARISONS.has(op)) throw new Error(`EntityReader: bad comparison ${op}`);
          return `${column(p)} ${op} ?`;
        }),
      ];
      const sort = order.map(([p, d]) => `${column(p)} ${d}`).join(', ');
      text =
        `SELECT ${columns} FROM ${driver.escape(this.metadata.tableName)}` +
        (conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '') +
        (sort ? ` ORDER BY ${sort}` : '') +
        (limited ? ' LIMIT ?' : '');
      this.texts.set(shape, text);
    }
    return text;
  }

  private hydrate(row: SqlRow): T {
    const { driver } = this.db.dataSource;
    const entity = this.metadata.create(undefined, { fromDeserializer: true }) as T;
    for (const column of this.columns) {
      const value = row[column.databaseName];
      if (value !== undefined) column.setEntityValue(entity, driver.prepareHydratedValue(value, column));
    }
    return entity;
  }
}
