import type { EntityManager } from 'typeorm';
import { forUpdate } from '@loyalty/platform';
import { ReferralCodeRow } from '../codes/referral-code.entity';
import { ReferralRow, type ReferralStatusValue } from '../referrals/referral.entity';
import { EarlyPurchaseRow, EarlyRefundRow } from './early-purchase.entity';

/** What a purchase needs to know about its member, read in one statement. */
export interface MemberPurchaseState {
  /** The member's code row (null: none yet), as far as the first-purchase mark goes. */
  code: { firstPurchaseAt: unknown } | null;
  /** An early purchase of the member is kept already (nothing more to remember). */
  earlyPurchaseKept: boolean;
  /** Their referral's status, null without one. */
  referralStatus: ReferralStatusValue | null;
}

/**
 * The member's first-purchase mark, whether an early purchase of theirs is kept and their
 * referral's status, in one plain read (no lock): every later purchase of a member stops at it,
 * with no write (the early row is written once per member and never changes). The purchase
 * consumer reads it before any transaction (`purchaseSettles`, for a delivery's members at once),
 * and again in its transaction.
 */
export async function memberPurchaseState(
  manager: EntityManager,
  memberId: string,
): Promise<MemberPurchaseState> {
  return (await memberPurchaseStates(manager, [memberId])).get(memberId)!;
}

/** {@link memberPurchaseState} of several members in one statement: every member given has one. */
export async function memberPurchaseStates(
  manager: EntityManager,
  memberIds: readonly string[],
): Promise<Map<string, MemberPurchaseState>> {
  // An early purchase is only ever written after the code row (same transaction). No code row:
  // nothing marked, so a purchase is never taken as settled (see purchaseSettles).
  const states = new Map<string, MemberPurchaseState>(
    memberIds.map((id) => [id, { code: null, earlyPurchaseKept: false, referralStatus: null }]),
  );
  if (memberIds.length === 0) return states;
  const rows = await manager
    .createQueryBuilder(ReferralCodeRow, 'c')
    .leftJoin(EarlyPurchaseRow, 'e', 'e.memberId = c.memberId')
    .leftJoin(ReferralRow, 'r', 'r.inviteeId = c.memberId')
    .select('c.memberId', 'memberId')
    .addSelect('c.firstPurchaseAt', 'firstPurchaseAt')
    .addSelect('e.memberId', 'earlyMemberId')
    .addSelect('r.status', 'status')
    .where('c.memberId IN (:...memberIds)', { memberIds: [...new Set(memberIds)] })
    .getRawMany<{
      memberId: string;
      firstPurchaseAt: unknown;
      earlyMemberId: string | null;
      status: ReferralStatusValue | null;
    }>();
  for (const row of rows)
    states.set(row.memberId, {
      code: { firstPurchaseAt: row.firstPurchaseAt },
      earlyPurchaseKept: row.earlyMemberId !== null,
      referralStatus: row.status ?? null,
    });
  return states;
}

/**
 * Keeps the member's early purchase unless one is kept already (the first wins; `INSERT … IGNORE`
 * by member id, so a repeat or a concurrent purchase changes nothing).
 */
export async function rememberEarlyPurchase(
  manager: EntityManager,
  row: Omit<EarlyPurchaseRow, 'recordedAt'>,
): Promise<void> {
  await manager
    .createQueryBuilder()
    .insert()
    .into(EarlyPurchaseRow)
    .values({ ...row, recordedAt: new Date() })
    .orIgnore()
    .execute();
}

/** Keeps the refund that took the member's early purchase back (the first wins, as above). */
export async function rememberEarlyRefund(
  manager: EntityManager,
  row: Omit<EarlyRefundRow, 'recordedAt'>,
): Promise<void> {
  await manager
    .createQueryBuilder()
    .insert()
    .into(EarlyRefundRow)
    .values({ ...row, recordedAt: new Date() })
    .orIgnore()
    .execute();
}

/** The member's early purchase, with a locking read (MySQL: sees and waits for the latest). */
export function lockEarlyPurchase(
  manager: EntityManager,
  memberId: string,
): Promise<EarlyPurchaseRow | null> {
  return forUpdate(
    manager.createQueryBuilder(EarlyPurchaseRow, 'e').where('e.memberId = :memberId', { memberId }),
  ).getOne();
}

/** The member's early refund, with a locking read. */
export function lockEarlyRefund(manager: EntityManager, memberId: string): Promise<EarlyRefundRow | null> {
  return forUpdate(
    manager.createQueryBuilder(EarlyRefundRow, 'r').where('r.memberId = :memberId', { memberId }),
  ).getOne();
}
