/**
 * @packageDocumentation
 * The deployable: the whole graph in one process (`pnpm start`), or one service (`TARGET=…`).
 */
export * from './graph';
export { SERVICES } from './services';
