import type { ServiceClient } from '@loyalty/platform';
import { ReferralCreditDocument, ReferralReverseDocument, type LedgerCreditInput } from './ledger.generated';

export interface CreditRequest {
  memberId: string;
  points: number;
  reason: string;
  idempotencyKey: string;
  sourceId: string;
}

export type ReverseRequest = CreditRequest;

/** What the referrals service needs from the ledger (docs/internal-api.md). */
export interface LedgerClient {
  credit(request: CreditRequest): Promise<{ entryId: string }>;
  reverse(request: ReverseRequest): Promise<{ entryId: string | null; shortfall: number }>;
}

/** Lots credited for a referral remember it, so a reversal finds exactly them. */
export const REFERRAL_SOURCE_TYPE = 'referral';

/** The ledger's input for a referral grant: REGULAR points, traced to the referral and side. */
function ledgerInput(r: CreditRequest): LedgerCreditInput & { sourceType: string; sourceId: string } {
  return {
    memberId: r.memberId,
    kind: 'REGULAR',
    points: r.points,
    reason: r.reason,
    sourceType: REFERRAL_SOURCE_TYPE,
    sourceId: r.sourceId,
    idempotencyKey: r.idempotencyKey,
  };
}

/** The ledger's internal GraphQL operations, called as the referrals service. */
export class RemoteLedgerClient implements LedgerClient {
  constructor(private readonly client: ServiceClient) {}

  async credit(r: CreditRequest): Promise<{ entryId: string }> {
    const data = await this.client.execute(ReferralCreditDocument, { input: ledgerInput(r) });
    return { entryId: data.ledgerCredit.id };
  }

  async reverse(r: ReverseRequest): Promise<{ entryId: string | null; shortfall: number }> {
    const data = await this.client.execute(ReferralReverseDocument, { input: ledgerInput(r) });
    return { entryId: data.ledgerReverse.entry?.id ?? null, shortfall: data.ledgerReverse.shortfall };
  }
}
