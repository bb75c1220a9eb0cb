/** Test helpers: isolated configuration and databases, GraphQL requests, tokens, polling. */
export * from './test-config';
export * from './graphql-client';
