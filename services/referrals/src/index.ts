/**
 * @packageDocumentation
 * The referrals subgraph.
 */
import 'reflect-metadata';
import { startService, type RunningService, type StartOptions } from '@loyalty/platform';
import type { ReferralsApp } from './app';
import { referralsService } from './service';

export { referralsService };
export type { ReferralsApp } from './app';

/** Starts the referrals subgraph; `port: 0` picks a free port. */
export function start(options: StartOptions = {}): Promise<RunningService<ReferralsApp>> {
  return startService(referralsService, options);
}

// Seams for whole-graph tests (e2e/), which read the service's own rows.
export type { ReferralRow } from './referrals/referral.entity';
export type { ReferralGrantRow } from './grants/grant.entity';
export { RemoteLedgerClient } from './peers/ledger.client';
