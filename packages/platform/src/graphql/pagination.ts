import { BadInputError } from '../errors/errors';

/** Largest page a client may ask for: keeps one request's cost bounded. */
export const MAX_PAGE_SIZE = 100;

/** Validates `first`: 1…100. */
export function pageSize(first: number | null | undefined, fallback = 20): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new BadInputError(`first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
  }
  return n;
}

/** Opaque cursor: clients must not build or parse them. */
export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; BAD_USER_INPUT for anything else. */
export function decodeCursor<T extends Record<string, string | number>>(
  cursor: string,
  keys: (keyof T)[],
): T {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
    if (typeof value === 'object' && value !== null && keys.every((k) => k in value)) return value;
  } catch {
    // fall through
  }
  throw new BadInputError('Invalid cursor', 'after');
}

/** Builds a connection from `first + 1` rows fetched (the extra row tells whether more exist). */
export function toConnection<Row, Node>(
  rows: Row[],
  first: number,
  cursorOf: (row: Row) => string,
  toNode: (row: Row) => Node,
): { edges: { cursor: string; node: Node }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } {
  const page = rows.slice(0, first);
  const edges = page.map((row) => ({ cursor: cursorOf(row), node: toNode(row) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      endCursor: edges.length ? edges[edges.length - 1].cursor : null,
    },
  };
}
