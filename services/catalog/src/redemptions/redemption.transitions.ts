import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Topics, type RedemptionStatusChanged, type UnitOfWork } from '@loyalty/platform';
import { RewardRow } from '../rewards/reward.entity';
import { RedemptionRow } from './redemption.entity';
import { assertTransition, RedemptionStatus } from './redemption.state';
import { RedemptionTransitionRow } from './transition.entity';

/** Who and why, for the trail and the event. */
export interface TransitionNote {
  actor: string;
  reason: string;
  at: Date;
}

/**
 * Moves a redemption from its status in `row` to `to`, as the state machine allows, fenced on that
 * status: false (nothing written) when another actor moved it meanwhile. Records the transition and
 * its event in the caller's transaction.
 */
export async function moveRedemption(
  uow: UnitOfWork,
  row: RedemptionRow,
  to: RedemptionStatus,
  note: TransitionNote,
  changes: Partial<RedemptionRow> = {},
): Promise<boolean> {
  const from = row.status as RedemptionStatus;
  assertTransition(from, to);
  const result = await uow.manager.update(
    RedemptionRow,
    { id: row.id, status: from },
    { ...changes, status: to, updatedAt: note.at },
  );
  if (!result.affected) return false;
  await recordTransition(uow, row, from, to, note);
  return true;
}

/** A transition row and its `redemption.status_changed` event, in the caller's transaction. */
export async function recordTransition(
  { manager, publish }: UnitOfWork,
  row: RedemptionRow,
  from: RedemptionStatus | null,
  to: RedemptionStatus,
  { actor, reason, at }: TransitionNote,
): Promise<void> {
  await manager.insert(RedemptionTransitionRow, {
    id: randomUUID(),
    redemptionId: row.id,
    fromStatus: from,
    toStatus: to,
    actor,
    reason: reason.slice(0, 500),
    at,
  });
  const payload: RedemptionStatusChanged = {
    redemptionId: row.id,
    memberId: row.memberId,
    rewardId: row.rewardId,
    merchantId: row.merchantId,
    from,
    to,
    reason,
    at: at.toISOString(),
    points: row.points,
    pointKind: row.pointKind,
  };
  await publish({ topic: Topics.redemptionStatusChanged, key: row.memberId, payload });
}

/** The redemption's units go back on the shelf (rewards with limited stock). */
export async function restock(manager: EntityManager, row: RedemptionRow): Promise<void> {
  await manager
    .createQueryBuilder()
    .update(RewardRow)
    .set({ stock: () => 'stock + :q', updatedAt: new Date() })
    .where('id = :id AND stock IS NOT NULL', { id: row.rewardId, q: row.quantity })
    .execute();
}
