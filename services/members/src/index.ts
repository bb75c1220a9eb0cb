/**
 * @packageDocumentation
 * The members subgraph: members, merchants, tiers, consent.
 */
import 'reflect-metadata';
import { startService, type RunningService, type StartOptions } from '@loyalty/platform';
import type { MembersApp } from './app';
import { membersService } from './service';

export { membersService };
export type { MembersApp } from './app';

/** Starts the members subgraph; `port: 0` picks a free port. */
export function start(options: StartOptions = {}): Promise<RunningService<MembersApp>> {
  return startService(membersService, options);
}
