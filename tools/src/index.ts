/**
 * @packageDocumentation
 * Developer tools: composing the static supergraph and checking the served schema against the
 * public contract.
 */
export * from './compose';
export * from './contract';
export * from './peer-clients';
