import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Marks work done on behalf of an HTTP request (resolvers, DataLoader batches and the SQL they
 * run inherit it), as opposed to background jobs such as the outbox relay or sweepers. Only
 * statement counting reads it (tests, benchmarks), so requests enter it only once something has
 * asked to count ({@link trackRequestScope}): on Node 20 a store in use installs promise hooks
 * that every promise of the thread pays for (4 % of the gateway thread's CPU on the dashboard
 * benchmark).
 */
export const requestScope = new AsyncLocalStorage<{ requestId?: string }>();

let tracking = false;

/** From now on, HTTP requests of this thread run inside {@link requestScope}. */
export function trackRequestScope(): void {
  tracking = true;
}

/** Runs `work` for an HTTP request: inside {@link requestScope} once tracking is on. */
export function inRequestScope<T>(work: () => T): T {
  return tracking ? requestScope.run({}, work) : work();
}
