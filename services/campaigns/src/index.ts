/**
 * @packageDocumentation
 * The campaigns subgraph.
 */
import 'reflect-metadata';
import { startService, type RunningService, type StartOptions } from '@loyalty/platform';
import { campaignsService, type CampaignsApp } from './service';

export { campaignsService };

/** Starts the campaigns subgraph; `port: 0` picks a free port. */
export function start(options: StartOptions = {}): Promise<RunningService<CampaignsApp>> {
  return startService(campaignsService, options);
}

// Seams for whole-graph tests (e2e/).
export type { CampaignsApp } from './service';
export { RemoteLedgerClient } from './peers/ledger.client';
