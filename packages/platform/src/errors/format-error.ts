import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArgumentValidationError } from 'type-graphql';
import type { Logger } from 'pino';
import { ErrorCode, isErrorCode } from './error-code';
import { AppError } from './errors';

/** Apollo/graphql-js codes that mean "the request itself is wrong": the caller's fault. */
const INPUT_CODES = new Set<string>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  ErrorCode.BAD_USER_INPUT,
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * Builds Apollo's `formatError`: every error leaves with a code from {@link ErrorCode}, and
 * anything unexpected is logged and masked, so no SQL, stack or internal detail reaches a client.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    if (original instanceof AppError) {
      const { http: _http, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
      return { ...base, extensions: { ...extensions, code: original.code } };
    }
    const validationErrors =
      original instanceof ArgumentValidationError
        ? original.extensions.validationErrors
        : (formatted.extensions
            ?.validationErrors as ArgumentValidationError['extensions']['validationErrors']);
    if (Array.isArray(validationErrors)) {
      // class-validator nests errors of input objects: flatten them to "field: message" pairs.
      const fields: { field: string; message: string }[] = [];
      const walk = (errors: typeof validationErrors | undefined, prefix: string) => {
        for (const e of errors ?? []) {
          const field = prefix ? `${prefix}.${e.property}` : e.property;
          for (const message of Object.values(e.constraints ?? {})) fields.push({ field, message });
          walk(e.children, field);
        }
      };
      walk(validationErrors, '');
      const message = fields.length
        ? `Invalid input: ${fields.map((f) => f.message).join('; ')}`
        : base.message;
      return { ...base, message, extensions: { code: ErrorCode.BAD_USER_INPUT, fields } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && INPUT_CODES.has(code)) {
      return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    // Errors relayed from a subgraph (at the gateway) or another service keep their public code,
    // not where they came from (the gateway adds the subgraph's name, and its URL and raw answer
    // to errors of failed fetches).
    if (isErrorCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      const {
        stacktrace: _s,
        exception: _e,
        serviceName: _n,
        response: _r,
        ...extensions
      } = formatted.extensions as Record<string, unknown>;
      return { ...base, extensions: { ...extensions, code } };
    }
    logger.error({ err: original, path: formatted.path }, 'internal error (masked for the client)');
    return {
      message: 'Internal server error',
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
