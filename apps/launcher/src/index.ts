/**
 * @packageDocumentation
 * The deployable: the whole graph in one process (`pnpm start`), or one service (`TARGET=…`).
 */
export * from './graph';
export type { GatewayThread } from './gateway-worker';
export { loadLauncherConfig, type LauncherConfig } from './config';
export { SERVICES } from './services';
