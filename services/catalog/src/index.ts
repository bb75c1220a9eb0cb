/**
 * @packageDocumentation
 * The catalog subgraph.
 */
import 'reflect-metadata';
import { startService, type RunningService, type StartOptions } from '@loyalty/platform';
import { catalogService, type CatalogApp } from './service';

export { catalogService };

/** Starts the catalog subgraph; `port: 0` picks a free port. */
export function start(options: StartOptions = {}): Promise<RunningService<CatalogApp>> {
  return startService(catalogService, options);
}

// Seams for whole-graph tests (e2e/), which run the catalog with substituted peers.
export type { CatalogApp } from './service';
export { createApp, type CatalogPorts } from './app';
export { loadCatalogConfig } from './config';
