import type { EntityManager } from 'typeorm';
import {
  CommandOutbox,
  CommandPoster,
  type NewCommand,
  type ServiceRuntime,
  type Sql,
  type Transactor,
} from '@loyalty/platform';
import type { CreditRequest, LedgerClient } from '../peers/ledger.client';
import { PostingRow } from './posting.entity';

/** A ledger posting to write: its parameters (the outbox fills in the retry state). */
export type NewPosting = Omit<NewCommand<PostingRow>, 'ledgerEntryId' | 'reversed' | 'shortfall'>;

const outbox = new CommandOutbox(PostingRow);

/** How long a request waits for the ledger to take the postings it just committed. */
const POST_SOON_MS = 3000;

/**
 * Writes owed ledger postings inside the caller's transaction (PENDING); returns the rows. With
 * the transaction's `sql`, as one prepared statement (a purchase's hot path). Due now for the
 * background poster, or, with `postSoon` (the caller posts them itself once it commits, see
 * {@link postSoon}), only once the caller's wait is over.
 */
export function addPostings(
  manager: EntityManager,
  owed: NewPosting[],
  sql?: Sql,
  options: { postSoon?: boolean } = {},
): Promise<PostingRow[]> {
  return outbox.enqueue(
    manager,
    owed.map((p) => ({ ...p, ledgerEntryId: null, reversed: null, shortfall: null })),
    sql,
    { postingMs: options.postSoon ? POST_SOON_MS : 0 },
  );
}

/**
 * Tries postings just committed, waiting at most `ms` for the ledger: when it takes longer the
 * postings go on in the background (the caller answers PENDING).
 */
export async function postSoon(poster: LedgerPoster, ids: string[], ms = POST_SOON_MS): Promise<void> {
  await Promise.race([
    poster.postNow(ids).catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, ms).unref()),
  ]);
}

/**
 * Like {@link postSoon}, for rows just written and still in hand: no re-read, the credits in one
 * ledger call; the rows show what was posted in time (status, entry, expiry).
 */
export async function postRowsSoon(
  poster: LedgerPoster,
  rows: PostingRow[],
  ms = POST_SOON_MS,
): Promise<void> {
  if (!rows.length) return;
  await Promise.race([
    poster.postRows(rows).catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, ms).unref()),
  ]);
}

const creditOf = (row: PostingRow): CreditRequest => ({
  idempotencyKey: row.idempotencyKey,
  memberId: row.memberId,
  kind: row.kind,
  points: row.points,
  reason: row.reason,
  merchantId: row.merchantId,
  campaignId: row.campaignId,
  sourceType: row.sourceType,
  sourceId: row.sourceId,
  validity: row.validity,
});

/** Sends owed postings to the ledger: see {@link CommandPoster}. */
export type LedgerPoster = CommandPoster<PostingRow>;

export interface PosterOptions {
  /** How often due postings are looked for (and the first retry's wait). */
  intervalMs: number;
  /** Longest wait between two attempts of one posting. */
  maxBackoffMs: number;
  batchSize?: number;
}

/**
 * The poster of campaigns' ledger postings, with their deterministic idempotency keys. Several
 * replicas may post the same row at once: the ledger's idempotency makes that harmless.
 * Reversals of a purchase wait until the purchase's credits are posted, so the ledger never
 * reverses points it has not credited.
 */
export function ledgerPoster(
  transactor: Transactor,
  ledger: LedgerClient,
  logger: ServiceRuntime['logger'],
  options: PosterOptions,
): LedgerPoster {
  return new CommandPoster<PostingRow>({
    name: 'ledger poster',
    entity: PostingRow,
    transactor,
    logger,
    intervalMs: options.intervalMs,
    baseBackoffMs: options.intervalMs,
    maxBackoffMs: options.maxBackoffMs,
    batchSize: options.batchSize,
    prerequisite: (row) =>
      row.operation === 'REVERSE'
        ? {
            where: { sourceType: row.sourceType, sourceId: row.sourceId, operation: 'CREDIT' },
            reason: 'waiting for the purchase credits to be posted',
          }
        : null,
    batchHandlers: {
      async CREDIT(rows) {
        const results = await ledger.creditBatch(rows.map(creditOf), { retries: 0 });
        return results.map((r) => ({ ledgerEntryId: r.entryId, expiresAt: r.expiresAt }));
      },
    },
    handlers: {
      async CREDIT(row) {
        const result = await ledger.credit(creditOf(row), { retries: 0 });
        return { ledgerEntryId: result.entryId, expiresAt: result.expiresAt };
      },
      async REVERSE(row) {
        const result = await ledger.reverse(
          {
            idempotencyKey: row.idempotencyKey,
            memberId: row.memberId,
            kind: row.kind,
            points: row.points,
            reason: row.reason,
            sourceType: row.sourceType,
            sourceId: row.sourceId,
            merchantId: row.merchantId,
          },
          { retries: 0 },
        );
        return { ledgerEntryId: result.entryId, reversed: result.reversed, shortfall: result.shortfall };
      },
    },
  });
}
