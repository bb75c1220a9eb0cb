import type { RunningService, ServiceName, StartOptions } from '@loyalty/platform';
import * as campaigns from '@loyalty/campaigns';
import * as catalog from '@loyalty/catalog';
import * as ledger from '@loyalty/ledger';
import * as members from '@loyalty/members';
import * as referrals from '@loyalty/referrals';

/** Every subgraph's start function and definition, by name (the only place that knows them all). */
export const SERVICES = {
  members: { start: members.start, definition: members.membersService },
  ledger: { start: ledger.start, definition: ledger.ledgerService },
  catalog: { start: catalog.start, definition: catalog.catalogService },
  campaigns: { start: campaigns.start, definition: campaigns.campaignsService },
  referrals: { start: referrals.start, definition: referrals.referralsService },
} satisfies Record<
  ServiceName,
  { start: (o: StartOptions) => Promise<RunningService<unknown>>; definition: unknown }
>;
