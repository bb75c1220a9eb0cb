/**
 * The statements of a purchase's transaction (see {@link PurchaseService.record}), prepared on the
 * transaction's connection: this runs on every purchase.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Sql } from '@loyalty/platform';
import type { PostingRow } from '../postings/posting.entity';
import type { EvaluatedAward } from '../rules/earn.rules';
import { MemberActivityRow, type PurchaseRow } from './purchase.entity';

/** The member's activity row (the one every purchase of theirs locks), created by their first. */
export async function insertActivityIfMissing(manager: EntityManager, memberId: string): Promise<void> {
  await manager
    .createQueryBuilder()
    .insert()
    .into(MemberActivityRow)
    .values({ memberId, purchaseCount: 0, lastPurchaseAt: null, recalledAt: null })
    .orIgnore()
    .execute();
}

/**
 * Counts the purchase on the member's activity row, which takes its lock: a member's purchases
 * are decided one at a time (first purchase, spend targets, per-member caps).
 */
export async function countPurchase(sql: Sql, memberId: string, now: Date): Promise<void> {
  // Held back on MySQL (Sql.later) until the next read, which then runs under the lock.
  await sql.later(
    'UPDATE `member_activity` SET `purchaseCount` = `purchaseCount` + 1, `lastPurchaseAt` = ? WHERE `memberId` = ?',
    [now, memberId],
    { expect: 1, refused: () => new Error(`member ${memberId} has no activity row`) },
  );
}

/** The member's purchases so far, this one counted (read under the activity row's lock). */
export async function purchaseCount(sql: Sql, memberId: string): Promise<number> {
  const [row] = await sql.rows<{ purchaseCount: number | string }>(
    'SELECT `purchaseCount` FROM `member_activity` WHERE `memberId` = ?',
    [memberId],
  );
  return Number(row?.purchaseCount);
}

/**
 * The purchase's row; a concurrent request with the same order id fails on the unique key (on
 * MySQL at the COMMIT it goes with, before the COMMIT runs).
 */
export async function insertPurchase(sql: Sql, purchase: PurchaseRow): Promise<void> {
  await sql.later(
    'INSERT INTO `purchases` (`id`, `merchantId`, `orderId`, `memberId`, `amount`, `currency`, `greenAmount`, ' +
      '`merchantCategory`, `occurredAt`, `recordedAt`, `requestHash`, `firstPurchase`, `refundedAmount`, `items`) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      purchase.id,
      purchase.merchantId,
      purchase.orderId,
      purchase.memberId,
      purchase.amount,
      purchase.currency,
      purchase.greenAmount,
      purchase.merchantCategory,
      purchase.occurredAt,
      purchase.recordedAt,
      purchase.requestHash,
      purchase.firstPurchase,
      purchase.refundedAmount,
      purchase.items,
    ],
  );
}

/** The purchase's breakdown, one row per award in order, each with the posting that pays it. */
export async function insertAwards(
  sql: Sql,
  purchaseId: string,
  awards: readonly EvaluatedAward[],
  postings: readonly PostingRow[],
): Promise<void> {
  if (awards.length === 0) return;
  const values: unknown[] = [];
  awards.forEach((a, i) =>
    values.push(
      randomUUID(),
      purchaseId,
      i,
      a.ruleKey,
      a.kind,
      a.points,
      0,
      a.reason,
      a.campaignId ?? null,
      postings[i].id,
    ),
  );
  await sql.later(
    'INSERT INTO `purchase_awards` (`id`, `purchaseId`, `position`, `ruleKey`, `kind`, `points`, ' +
      '`reversedPoints`, `reason`, `campaignId`, `postingId`) VALUES ' +
      awards.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', '),
    values,
    // A handful of shapes (one per number of awards) stay prepared; more are one-offs.
    { oneOff: awards.length > 4 },
  );
}
