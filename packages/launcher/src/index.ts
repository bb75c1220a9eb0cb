/**
 * @packageDocumentation
 * Runs the whole graph in one process, composes the supergraph, checks the contract.
 */
export * from './graph';
export * from './compose';
export * from './contract';
export { SERVICES } from './services';
