import type { ServiceClient } from '@loyalty/platform';
import {
  CampaignsCreditBatchDocument,
  CampaignsCreditDocument,
  CampaignsRecallExpiringDocument,
  CampaignsReverseDocument,
  type PointKind,
} from './ledger.generated';

/** A credit the ledger must make (docs/internal-api.md `ledgerCredit`). */
export interface CreditRequest {
  idempotencyKey: string;
  memberId: string;
  kind: PointKind;
  points: number;
  reason: string;
  merchantId: string | null;
  campaignId: string | null;
  sourceType: string;
  sourceId: string;
  validity: string | null;
}

/** Points to take back from what a source earned (docs/internal-api.md `ledgerReverse`). */
export interface ReverseRequest {
  idempotencyKey: string;
  memberId: string;
  kind: PointKind;
  points: number;
  reason: string;
  sourceType: string;
  sourceId: string;
  /** The merchant of the refund, for the ledger's trail (`LedgerEntry.merchant`). */
  merchantId: string | null;
}

export interface CreditResult {
  entryId: string;
  expiresAt: Date | null;
}

export interface ReverseResult {
  entryId: string | null;
  reversed: number;
  shortfall: number;
}

/** Points of one kind a member has expiring at one moment. */
export interface ExpiringPoints {
  kind: string;
  points: number;
  expiresAt: string;
}

/** What campaigns needs from the ledger; writes are idempotent by key, so any call may be repeated. */
export interface LedgerClient {
  credit(request: CreditRequest, options?: { retries?: number }): Promise<CreditResult>;
  /** Several credits in one call, answered in order; any failure fails the call. */
  creditBatch(requests: CreditRequest[], options?: { retries?: number }): Promise<CreditResult[]>;
  reverse(request: ReverseRequest, options?: { retries?: number }): Promise<ReverseResult>;
  /** Each member's points expiring within `withinDays` (one call for the batch, in order). */
  expiringPoints(memberIds: string[], withinDays: number): Promise<ExpiringPoints[][]>;
}

/** Drops null fields so the ledger applies its own defaults. */
function compact<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined)) as T;
}

/** The ledger's internal mutations, called with a service token. */
export class RemoteLedgerClient implements LedgerClient {
  constructor(private readonly client: ServiceClient) {}

  async credit(request: CreditRequest, options: { retries?: number } = {}): Promise<CreditResult> {
    const data = await this.client.execute(CampaignsCreditDocument, { input: compact(request) }, options);
    const { id, expiresAt } = data.ledgerCredit;
    return { entryId: String(id), expiresAt: expiresAt ? new Date(expiresAt) : null };
  }

  async creditBatch(requests: CreditRequest[], options: { retries?: number } = {}): Promise<CreditResult[]> {
    const data = await this.client.execute(
      CampaignsCreditBatchDocument,
      { inputs: requests.map((r) => compact(r)) },
      options,
    );
    return data.ledgerCreditBatch.map(({ id, expiresAt }) => ({
      entryId: String(id),
      expiresAt: expiresAt ? new Date(expiresAt) : null,
    }));
  }

  async reverse(request: ReverseRequest, options: { retries?: number } = {}): Promise<ReverseResult> {
    const data = await this.client.execute(CampaignsReverseDocument, { input: compact(request) }, options);
    const r = data.ledgerReverse;
    return { entryId: r.entry ? String(r.entry.id) : null, reversed: r.reversed, shortfall: r.shortfall };
  }

  async expiringPoints(memberIds: string[], withinDays: number): Promise<ExpiringPoints[][]> {
    const data = await this.client.execute(CampaignsRecallExpiringDocument, {
      r: memberIds.map((id) => ({ __typename: 'Member', id })),
      days: withinDays,
    });
    // _entities answers in the order asked, null for a member the ledger does not know.
    return memberIds.map((_, i) => {
      const member = data._entities[i];
      return member && 'expiringPoints' in member ? member.expiringPoints : [];
    });
  }
}
