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
 * The rule engine over the settings given and what the database says now about the member;
 * `lock` takes the locks a write needs.
 */
export async function evaluateAt(
  manager: EntityManager,
  p: NormalizedPurchase,
  member: MemberFacts,
  merchant: MerchantFacts,
  occurredAt: Date,
  firstWithPlatform: boolean,
  lock: boolean,
  settings: EarnSettings,
): Promise<{ awards: EvaluatedAward[]; firstWithPlatform: boolean }> {
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
  let campaigns = inForce.filter((c) => purchaseDisqualifier(toRule(c), facts) === null);
  campaigns = await lockBudgets(manager, campaigns, lock);
  const usage = await campaignUsage(manager, campaigns, p.memberId);
  return {
    awards: evaluatePurchase(facts, settings.rates, campaigns.map(toRule), usage),
    firstWithPlatform,
  };
}
