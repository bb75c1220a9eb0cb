import { isDeepStrictEqual } from 'node:util';
import type { EntityManager } from 'typeorm';
import type { CampaignRow } from '../campaigns/campaign.entity';
import { toRule } from '../campaigns/campaign.rules';
import { campaignsInForce, campaignUsage, lockBudgets } from '../campaigns/campaign.service';
import type { MemberFacts, MerchantFacts } from '../peers/members.client';
import type { PostingRow } from '../postings/posting.entity';
import {
  evaluatePurchase,
  purchaseDisqualifier,
  type EvaluatedAward,
  type MerchantRates,
} from '../rules/earn.rules';
import { PurchaseRow } from './purchase.entity';
import type { AwardView } from './purchase.queries';
import type { NormalizedPurchase } from './purchase.rules';

/** The settings a purchase is evaluated with, read before its transaction (from the cache). */
export interface EarnSettings {
  /** Null: the purchase is older than what the cache keeps, read the database. */
  campaigns: CampaignRow[] | null;
  rates: MerchantRates;
}

/** A breakdown line as recorded, with its posting as it stands. */
export function awardView(a: EvaluatedAward, posting: PostingRow): AwardView {
  return {
    rule: a.ruleKey,
    kind: a.kind,
    points: a.points,
    reason: a.reason,
    campaignId: a.campaignId,
    expiresAt: posting.expiresAt ?? null,
    status: posting.status === 'POSTED' ? 'POSTED' : 'PENDING',
    shortfall: null,
  };
}

/** R8: a member's net spend (after refunds) in a campaign's window at the merchants it covers. */
async function spendInWindow(manager: EntityManager, c: CampaignRow, memberId: string): Promise<number> {
  const qb = manager
    .createQueryBuilder(PurchaseRow, 'p')
    .select('COALESCE(SUM(p.amount - p.refundedAmount), 0)', 'total')
    .where('p.memberId = :memberId', { memberId })
    .andWhere('p.occurredAt >= :startsAt', { startsAt: c.startsAt });
  if (c.endsAt) qb.andWhere('p.occurredAt < :endsAt', { endsAt: c.endsAt });
  if (c.merchantId) qb.andWhere('p.merchantId = :merchantId', { merchantId: c.merchantId });
  if (c.merchantCategory) qb.andWhere('p.merchantCategory = :category', { category: c.merchantCategory });
  const row = await qb.getRawOne<{ total: string | number | null }>();
  return Number(row?.total ?? 0);
}

/**
 * How an evaluation treats shared budgets: `read` (a preview), `locked` (the budgeted campaigns'
 * rows are locked first, so the budget read is the one written; SQLite serializes transactions,
 * so there it is a plain read), `optimistic` (the budgets as given with the earn settings, not
 * read: when no budget limits the awards, the write's conditional update checks that none does
 * at commit either — else the purchase is evaluated again, `locked`). Every purchase
 * of a budgeted campaign locking its row for the whole transaction made them all queue on it.
 */
export type BudgetMode = 'read' | 'optimistic' | 'locked';

/**
 * The rule engine over the settings given and what the database says now about the member;
 * `optimistic` is true when the budgets were read without a lock (see {@link BudgetMode}).
 */
export async function evaluateAt(
  manager: EntityManager,
  p: NormalizedPurchase,
  member: MemberFacts,
  merchant: MerchantFacts,
  occurredAt: Date,
  firstWithPlatform: boolean,
  mode: BudgetMode,
  settings: EarnSettings,
): Promise<{ awards: EvaluatedAward[]; firstWithPlatform: boolean; optimistic: boolean }> {
  const inForce = settings.campaigns ?? (await campaignsInForce(manager, occurredAt));
  // Only a first-order-at-the-merchant campaign asks; a first purchase anywhere is one here too.
  const asked = inForce.some((c) => c.firstOrder === 'MERCHANT');
  const firstWithMerchant =
    firstWithPlatform ||
    (asked &&
      !(await manager.exists(PurchaseRow, { where: { memberId: p.memberId, merchantId: p.merchantId } })));
  const facts = {
    merchantId: p.merchantId,
    merchantCategory: merchant.category,
    memberTier: member.tier,
    amount: p.amount,
    greenAmount: p.greenAmount,
    occurredAt,
    firstWithPlatform,
    firstWithMerchant,
    spendBefore: new Map<string, number>(),
  };
  for (const c of inForce) {
    if (c.spendTarget !== null) facts.spendBefore.set(c.id, await spendInWindow(manager, c, p.memberId));
  }
  const candidates = inForce.filter((c) => purchaseDisqualifier(toRule(c), facts) === null);
  if (mode === 'optimistic') {
    // The budgets as the earn settings were read (cached): not read again. A campaign's awarded
    // points only grow, so a stale row can only make a budget look roomier than it is, and the
    // write's conditional update (`awardedPoints + n <= budget`) then refuses and the purchase is
    // evaluated again, locked and fresh; a stale row that looks tighter goes locked at once.
    const usage = await campaignUsage(manager, candidates, p.memberId);
    const rules = candidates.map(toRule);
    const awards = evaluatePurchase(facts, settings.rates, rules, usage);
    const unbounded = rules.map((r) => ({ ...r, budget: null }));
    if (isDeepStrictEqual(awards, evaluatePurchase(facts, settings.rates, unbounded, usage)))
      return { awards, firstWithPlatform, optimistic: true };
    // A budget limits this purchase: decide it under the lock.
  }
  const campaigns = await lockBudgets(manager, candidates, mode !== 'read');
  const usage = await campaignUsage(manager, campaigns, p.memberId);
  return {
    awards: evaluatePurchase(facts, settings.rates, campaigns.map(toRule), usage),
    firstWithPlatform,
    optimistic: false,
  };
}
