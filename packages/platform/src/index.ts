/**
 * @packageDocumentation
 * What every loyalty service shares: configuration, data sources and transactions, the outbox
 * and event bus, the subgraph bootstrap, auth, errors, logging, health and metrics.
 */
import 'reflect-metadata';

export * from './config';
export * from './time/duration';
export * from './errors/error-code';
export * from './errors/errors';
export * from './errors/format-error';
export * from './auth/principal';
export * from './auth/jwt';
export * from './auth/keys';
export * from './auth/oidc';
export * from './auth/authenticator';
export * from './auth/token-settings';
export * from './auth/access';
export * from './auth/auth-checker';
export * from './db/data-source';
export * from './db/sqlite-checkpointer';
export * from './db/query-counter';
export * from './db/transactor';
export * from './db/sql';
export * from './db/bulk-insert';
export * from './db/ordered-id';
export * from './db/lean-select';
export * from './db/row-lock';
export * from './db/platform-migration';
export * from './events/event';
export * from './events/registry';
export * from './events/outbox';
export * from './events/outbox.entity';
export * from './events/inbox.entity';
export * from './events/transport';
export * from './events/in-process-transport';
export * from './events/redis-transport';
export * from './events/port-transport';
export * from './events/relay';
export * from './events/consumer';
export * from './graphql/scalars';
export * from './graphql/point-kind';
export * from './graphql/page-info';
export * from './graphql/pagination';
export * from './graphql/batch';
export * from './graphql/subgraph-schema';
export * from './graphql/limits';
export * from './graphql/input-rules';
export * from './graphql/subgraph-door';
export * from './http/post-json';
export * from './http/metrics';
export * from './http/http-server';
export * from './logging/logger';
export * from './service/context';
export * from './service/peers';
export * from './service/local-links';
export * from './service/service-client';
export * from './service/start-service';
export * from './service/run-main';
export * from './http/request-scope';
export * from './service/background-loop';
export * from './idempotency/request-hash';
export * from './commands/command.entity';
export * from './commands/command-outbox';
export * from './commands/command-poster';
export * from './auth/api-key';
export * from './auth/api-key-lookup';
export * from './i18n/language';
