/** Test helpers: isolated configuration and databases, GraphQL requests, tokens, polling. */
export * from './test-config';
export * from './graphql-client';
export * from './realtime-fake-ledger';
export * from './ledger-api';
export * from './fake-ledger';
export * from './fake-ledger-server';
export * from './crash';
export * from './events';
export * from './ledger-contract';
export * from './credit-contract';
export * from './gateway-ledger';
export * from './oidc-provider';
export * from './ports';
export * from './test-database';
export * from './service';
export * from './workloads';
