import { AppError, ErrorCode, type PointKind, type ServiceClient } from '@loyalty/platform';
import {
  CaptureDocument,
  CompensateDocument,
  HoldDocument,
  ReleaseDocument,
  RestoreDocument,
} from './ledger.generated';

/** Where a hold stands (RESTORED: captured, then given back). */
export type HoldStatus = 'HELD' | 'CAPTURED' | 'RELEASED' | 'EXPIRED' | 'RESTORED';

export interface PointHold {
  id: string;
  status: HoldStatus;
  points: number;
}

/** `ledgerHold`: points set aside for a redemption until captured, released or expired. */
export interface HoldRequest {
  memberId: string;
  kind: PointKind;
  points: number;
  idempotencyKey: string;
  reason: string;
  ttlSeconds: number;
  merchantId: string | null;
}

/** `ledgerCredit` of type COMPENSATE, traced to the redemption it makes up for. */
export interface CompensateRequest {
  memberId: string;
  kind: PointKind;
  points: number;
  idempotencyKey: string;
  reason: string;
  merchantId: string | null;
  sourceId: string;
}

/**
 * The ledger operations the redemption saga needs (docs/internal-api.md). Every call carries an
 * idempotency key derived from the redemption, so replaying a step after a crash is safe.
 */
export interface LedgerClient {
  hold(input: HoldRequest): Promise<PointHold>;
  capture(holdId: string, idempotencyKey: string): Promise<void>;
  release(holdId: string, idempotencyKey: string, reason: string): Promise<void>;
  restore(holdId: string, idempotencyKey: string, reason: string): Promise<void>;
  compensate(input: CompensateRequest): Promise<void>;
}

/**
 * True when the ledger gave a definite answer (the step did not and will not happen), as opposed
 * to an outage or an unexpected failure after which the step's outcome is unknown.
 */
export function isDefinite(error: unknown): error is AppError {
  return (
    error instanceof AppError &&
    error.code !== ErrorCode.SERVICE_UNAVAILABLE &&
    error.code !== ErrorCode.INTERNAL_SERVER_ERROR
  );
}

/** {@link LedgerClient} over the ledger subgraph's internal mutations, as the catalog service. */
export class RemoteLedgerClient implements LedgerClient {
  constructor(private readonly client: ServiceClient) {}

  async hold(input: HoldRequest): Promise<PointHold> {
    const data = await this.client.execute(HoldDocument, { input });
    return data.ledgerHold;
  }

  async capture(holdId: string, key: string): Promise<void> {
    await this.client.execute(CaptureDocument, { holdId, key });
  }

  async release(holdId: string, key: string, reason: string): Promise<void> {
    await this.client.execute(ReleaseDocument, { holdId, key, reason });
  }

  async restore(holdId: string, key: string, reason: string): Promise<void> {
    await this.client.execute(RestoreDocument, { holdId, key, reason });
  }

  async compensate(input: CompensateRequest): Promise<void> {
    const { sourceId, ...rest } = input;
    await this.client.execute(CompensateDocument, {
      input: { ...rest, type: 'COMPENSATE', sourceType: 'redemption', sourceId },
    });
  }
}
