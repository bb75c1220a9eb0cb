/**
 * @packageDocumentation
 * The ledger subgraph.
 */
import 'reflect-metadata';
import { startService, type RunningService, type StartOptions } from '@loyalty/platform';
import { ledgerService, type LedgerApp } from './service';

export { ledgerService };

/** Starts the ledger subgraph; `port: 0` picks a free port. */
export function start(options: StartOptions = {}): Promise<RunningService<LedgerApp>> {
  return startService(ledgerService, options);
}

// Seams for whole-graph tests (e2e/): the app's shape and the sweeper they run a second copy of.
export type { LedgerApp } from './service';
export { ExpirySweeper } from './expiry/sweeper';
export { createLedger } from './ledger/ledger';
export { MerchantNames } from './merchants/merchant.service';
