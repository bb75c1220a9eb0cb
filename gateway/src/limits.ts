import { ApolloArmor } from '@escape.tech/graphql-armor';

/** Deepest selection accepted (contract: deeper than 15 → BAD_USER_INPUT). */
export const MAX_DEPTH = 15;

/**
 * Query depth, alias, directive, token and cost limits (graphql-armor): a public graph must not
 * let one request fan out into unbounded subgraph work. Violations are validation errors,
 * reported as BAD_USER_INPUT; the standard introspection query stays allowed.
 */
export function createArmor(production: boolean) {
  return new ApolloArmor({
    maxDepth: { n: MAX_DEPTH, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: 30 },
    maxDirectives: { n: 50 },
    maxTokens: { n: 5000 },
    costLimit: { maxCost: 20000, ignoreIntrospection: true },
    blockFieldSuggestion: { enabled: production },
  }).protect();
}
