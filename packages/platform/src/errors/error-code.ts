/**
 * The one list of error codes the graph returns in `extensions.code` (contract/README.md).
 * Clients switch on these; never invent a code elsewhere.
 */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
  INSUFFICIENT_POINTS = 'INSUFFICIENT_POINTS',
  OUT_OF_STOCK = 'OUT_OF_STOCK',
  LIMIT_REACHED = 'LIMIT_REACHED',
  /** A dependency (another subgraph, the database) is down; the caller may retry. */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

const codes = new Set<string>(Object.values(ErrorCode));

/** True for a code from {@link ErrorCode}. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && codes.has(code);
}
