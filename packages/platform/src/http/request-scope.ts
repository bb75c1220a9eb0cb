import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Marks work done on behalf of an HTTP request (resolvers, DataLoader batches and the SQL they
 * run inherit it), as opposed to background jobs such as the outbox relay or sweepers.
 */
export const requestScope = new AsyncLocalStorage<{ requestId?: string }>();
