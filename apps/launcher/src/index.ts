/**
 * @packageDocumentation
 * The deployable: the whole graph in one process (`pnpm start`), or one service (`TARGET=…`).
 */
export * from './graph';
export type { WorkerThread } from './worker-host';
export { loadLauncherConfig, placementOf, type LauncherConfig } from './config';
export { SERVICES } from './services';
