/**
 * @packageDocumentation
 * The referrals subgraph.
 */
import 'reflect-metadata';
import { startService, type RunningService, type StartOptions } from '@loyalty/platform';
import { referralsService, type ReferralsApp } from './service';

export { referralsService };

/** Starts the referrals subgraph; `port: 0` picks a free port. */
export function start(options: StartOptions = {}): Promise<RunningService<ReferralsApp>> {
  return startService(referralsService, options);
}
