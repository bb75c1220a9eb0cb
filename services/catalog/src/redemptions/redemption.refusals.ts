import {
  AppError,
  ConflictError,
  isUniqueViolation,
  type ErrorCode,
  type PointKind,
  type Transactor,
} from '@loyalty/platform';
import { RedemptionRefusalRow } from './refusal.entity';

/** What a redemption request asked for: a replay must ask for the same. */
export interface RedemptionRequest {
  rewardId: string;
  memberId: string;
  quantity: number;
  pointKind: PointKind | null;
}

/**
 * The memory of refused redemption requests: a refusal writes no redemption, so a replay of its
 * idempotency key would otherwise be judged again, and might now succeed. Only what the caller was
 * told is kept.
 */
export class RedemptionRefusals {
  constructor(private readonly transactor: Transactor) {}

  find(requestedBy: string, key: string): Promise<RedemptionRefusalRow | null> {
    return this.transactor.read((m) =>
      m.findOneBy(RedemptionRefusalRow, { requestedBy, idempotencyKey: key }),
    );
  }

  /** Remembers a refusal so that a replay of the key gets the same answer; never a redemption. */
  async remember(
    draft: { requestedBy: string; key: string },
    request: RedemptionRequest,
    error: AppError,
  ): Promise<void> {
    await this.transactor
      .run(({ manager }) =>
        manager.insert(RedemptionRefusalRow, {
          requestedBy: draft.requestedBy,
          idempotencyKey: draft.key,
          rewardId: request.rewardId,
          memberId: request.memberId,
          quantity: request.quantity,
          pointKind: request.pointKind,
          code: error.code,
          message: error.message.slice(0, 500),
          createdAt: new Date(),
        }),
      )
      .catch((e: unknown) => {
        // The same request refused twice at once: one record is enough.
        if (!isUniqueViolation(e)) throw e;
      });
  }

  /** A replay of a refused request: the same refusal, or CONFLICT for another request under its key. */
  replayOf(refused: RedemptionRefusalRow, request: RedemptionRequest): AppError {
    if (
      refused.rewardId !== request.rewardId ||
      refused.memberId !== request.memberId ||
      refused.quantity !== request.quantity ||
      refused.pointKind !== request.pointKind
    ) {
      return new ConflictError('This idempotencyKey was already used for a different redemption');
    }
    return new AppError(refused.code as ErrorCode, refused.message);
  }
}
