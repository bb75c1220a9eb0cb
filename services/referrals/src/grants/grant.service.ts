import type { EntityManager } from 'typeorm';
import {
  CommandOutbox,
  CommandPoster,
  retryDelayMs,
  type NewCommand,
  type ServiceRuntime,
  type Transactor,
} from '@loyalty/platform';
import type { LedgerClient } from '../peers/ledger.client';
import { ReferralGrantRow } from './grant.entity';

const BATCH = 50;
/** A failing grant waits 0.5 s, doubling, at most five minutes. */
const BASE_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 5 * 60_000;

/** Retry delay after `attempts` failures: 0.5 s doubling, at most five minutes. */
export function backoffMs(attempts: number): number {
  return retryDelayMs(attempts, BASE_BACKOFF_MS, MAX_BACKOFF_MS);
}

/** A grant to write: its parameters (the outbox fills in the retry state). */
export type NewGrant = Omit<NewCommand<ReferralGrantRow>, 'ledgerEntryId' | 'shortfall'>;

const outbox = new CommandOutbox(ReferralGrantRow);

/** Writes owed grants inside the decision's transaction (PENDING, due now); returns the rows. */
export function addGrants(manager: EntityManager, grants: NewGrant[]): Promise<ReferralGrantRow[]> {
  return outbox.enqueue(
    manager,
    grants.map((g) => ({ ...g, ledgerEntryId: null, shortfall: null })),
  );
}

/** Words a member reads in their points history. */
function reasonFor(grant: ReferralGrantRow): string {
  if (grant.operation === 'REVERSE') return 'Referral reward reversed: the qualifying purchase was refunded';
  return grant.role === 'inviter'
    ? 'Referral reward: a friend you invited made their first purchase'
    : "Welcome reward: joined with a friend's referral code";
}

/** Sends owed grants to the ledger: see {@link CommandPoster}. */
export type GrantPoster = CommandPoster<ReferralGrantRow>;

/**
 * The poster of referral grants, outside any transaction (a slow or absent ledger never holds
 * the referrals database). Runs on a timer and when nudged after a decision commits; a ledger
 * outage delays rewards but never loses or doubles them (the ledger de-duplicates by key). A
 * reversal goes out only after the credit it takes back (else it would take nothing).
 */
export function grantPoster(
  transactor: Transactor,
  ledger: LedgerClient,
  logger: ServiceRuntime['logger'],
  pollMs: number,
): GrantPoster {
  const request = (grant: ReferralGrantRow) => ({
    memberId: grant.memberId,
    points: grant.points,
    reason: reasonFor(grant),
    idempotencyKey: grant.idempotencyKey,
    sourceId: `${grant.referralId}:${grant.role}`,
  });
  return new CommandPoster<ReferralGrantRow>({
    name: 'referral grant poster',
    entity: ReferralGrantRow,
    transactor,
    logger,
    intervalMs: pollMs,
    baseBackoffMs: BASE_BACKOFF_MS,
    maxBackoffMs: MAX_BACKOFF_MS,
    batchSize: BATCH,
    prerequisite: (grant) =>
      grant.reversesGrantId
        ? { where: { id: grant.reversesGrantId }, reason: 'waiting for the credit it reverses' }
        : null,
    handlers: {
      async CREDIT(grant) {
        const result = await ledger.credit(request(grant));
        return { ledgerEntryId: result.entryId, shortfall: null };
      },
      async REVERSE(grant) {
        const result = await ledger.reverse(request(grant));
        return { ledgerEntryId: result.entryId, shortfall: result.shortfall };
      },
    },
  });
}
