import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { ValidationRule } from 'graphql';
import { ErrorCode } from '../errors/error-code';
import { AppError } from '../errors/errors';
import { rejectControlCharacters } from './input-rules';

/**
 * What one GraphQL request may ask for, the same at the gateway and at every subgraph: a public
 * graph must not let one request fan out into unbounded work.
 */
export const GRAPHQL_LIMITS = {
  /** Deepest selection (contract: deeper than 15 → BAD_USER_INPUT). */
  depth: 15,
  aliases: 30,
  directives: 50,
  /** Lexical tokens of the document, checked while parsing (before any validation). */
  tokens: 5000,
  cost: 20000,
} as const;

/** Deepest selection accepted (contract: deeper than 15 → BAD_USER_INPUT). */
export const MAX_DEPTH = GRAPHQL_LIMITS.depth;

/** Validation rules, plugins and parse options that enforce {@link GRAPHQL_LIMITS}. */
export interface GraphqlLimits {
  /** Depth, alias, directive and cost limits (graphql-armor), reported as BAD_USER_INPUT. */
  validationRules: ValidationRule[];
  /**
   * graphql-armor's plugins (field suggestions hidden in production), the operation check and the
   * refusal of control characters in any text.
   */
  plugins: ApolloServerPlugin[];
  /**
   * Apollo Server's `parseOptions`: graphql-js stops parsing past the token limit with a syntax
   * error (HTTP 400). graphql-armor's own token plugin throws from a hook Apollo treats as a crash
   * (HTTP 500), so it is off and graphql-js does the counting.
   */
  parseOptions: { maxTokens: number };
}

/**
 * The graph's request limits (graphql-armor) as Apollo Server options. The standard
 * introspection query stays allowed.
 */
export function graphqlLimits(production: boolean): GraphqlLimits {
  const armor = new ApolloArmor({
    maxDepth: { n: GRAPHQL_LIMITS.depth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: GRAPHQL_LIMITS.aliases },
    maxDirectives: { n: GRAPHQL_LIMITS.directives },
    maxTokens: { enabled: false },
    costLimit: { maxCost: GRAPHQL_LIMITS.cost, ignoreIntrospection: true },
    blockFieldSuggestion: { enabled: production },
  }).protect();
  return {
    validationRules: [...armor.validationRules] as ValidationRule[],
    plugins: [
      ...(armor.plugins as ApolloServerPlugin[]),
      rejectUnresolvedOperation(),
      rejectControlCharacters(),
    ],
    parseOptions: { maxTokens: GRAPHQL_LIMITS.tokens },
  };
}

/**
 * An `operationName` that names no operation of the document (or none given for a document with
 * several) is the caller's mistake: HTTP 400 with BAD_USER_INPUT, before anything executes. Left
 * to the executor it surfaces as a crash of whatever reads the missing operation.
 */
export function rejectUnresolvedOperation<Ctx extends BaseContext>(): ApolloServerPlugin<Ctx> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          if (ctx.operation) return;
          const name = ctx.request.operationName;
          throw new AppError(
            ErrorCode.BAD_USER_INPUT,
            typeof name === 'string' && name
              ? `Unknown operation named "${name.slice(0, 100)}"`
              : 'Must provide an operation name when the document has several operations',
            { http: { status: 400 } },
          );
        },
      };
    },
  };
}

/**
 * Stops a query that runs longer than `timeoutMs`: every field resolved after the deadline fails
 * with SERVICE_UNAVAILABLE, so a runaway request stops starting new work (database queries, calls
 * to other services) and answers with what it has. Mutations run to the end: once one has written,
 * failing the fields that report it would only make the caller think it had not.
 */
export function executionTimeout<Ctx extends BaseContext>(timeoutMs: number): ApolloServerPlugin<Ctx> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart(ctx) {
          if (ctx.operation.operation !== 'query') return;
          const deadline = Date.now() + timeoutMs;
          return {
            willResolveField() {
              if (Date.now() > deadline) {
                throw new AppError(
                  ErrorCode.SERVICE_UNAVAILABLE,
                  'The operation ran out of time and was stopped',
                );
              }
            },
          };
        },
      };
    },
  };
}
