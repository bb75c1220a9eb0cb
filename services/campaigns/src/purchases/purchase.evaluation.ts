import { isDeepStrictEqual } from 'node:util';
import type { EntityManager } from 'typeorm';
import type { EntityReader, Transactor } from '@loyalty/platform';
import type { CampaignRow, CampaignUsageRow } from '../campaigns/campaign.entity';
import { toRule } from '../campaigns/campaign.rules';
import {
  campaignsInForce,
  campaignUsage,
  lockBudgets,
  usageFrom,
  withFreshBudgets,
  type CampaignUsage,
} from '../campaigns/campaign.service';
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
 * What an evaluation reads besides the earn settings: in a purchase's transaction
 * ({@link transactionReads}), or for a preview straight from the database ({@link previewReads}).
 */
export interface EvaluationReads {
  /** The campaigns in force at `at`, when the earn settings no longer keep that moment. */
  campaignsInForce(at: Date): Promise<CampaignRow[]>;
  /** Whether the member has bought at the merchant before. */
  boughtAtMerchant(memberId: string, merchantId: string): Promise<boolean>;
  spendInWindow(campaign: CampaignRow, memberId: string): Promise<number>;
  /** The budgeted campaigns' rows read fresh (locked, with `lock`); the others as given. */
  freshBudgets(campaigns: CampaignRow[], lock: boolean): Promise<CampaignRow[]>;
  usage(campaigns: CampaignRow[], memberId: string): Promise<CampaignUsage>;
}

/** Reads on the transaction's entity manager: what a purchase decides with. */
export function transactionReads(manager: EntityManager): EvaluationReads {
  return {
    campaignsInForce: (at) => campaignsInForce(manager, at),
    boughtAtMerchant: (memberId, merchantId) =>
      manager.exists(PurchaseRow, { where: { memberId, merchantId } }),
    spendInWindow: (c, memberId) => spendInWindow(manager, c, memberId),
    freshBudgets: (campaigns, lock) => lockBudgets(manager, campaigns, lock),
    usage: (campaigns, memberId) => campaignUsage(manager, campaigns, memberId),
  };
}

/** The lean readers a preview's budgets and usage come from (the reads every preview makes). */
export interface PreviewReaders {
  campaigns: EntityReader<CampaignRow>;
  usage: EntityReader<CampaignUsageRow>;
}

/**
 * Reads for a preview: nothing is written, so no transaction; each read stands alone. A
 * budgeted campaign's row and a capped one's usage — read on every preview that meets one —
 * come through the lean readers (no query builder); the rarer reads as a purchase makes them.
 */
export function previewReads(transactor: Transactor, readers: PreviewReaders): EvaluationReads {
  return {
    campaignsInForce: (at) => transactor.read((m) => campaignsInForce(m, at)),
    boughtAtMerchant: (memberId, merchantId) =>
      transactor.read((m) => m.exists(PurchaseRow, { where: { memberId, merchantId } })),
    spendInWindow: (c, memberId) => transactor.read((m) => spendInWindow(m, c, memberId)),
    freshBudgets: (campaigns) => withFreshBudgets(campaigns, (ids) => readers.campaigns.whereIn('id', ids)),
    usage: (campaigns, memberId) =>
      usageFrom(campaigns, (capped) =>
        readers.usage.whereIn('campaignId', capped, { where: [['memberId', '=', memberId]] }),
      ),
  };
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
  reads: EvaluationReads,
  p: NormalizedPurchase,
  member: MemberFacts,
  merchant: MerchantFacts,
  occurredAt: Date,
  firstWithPlatform: boolean,
  mode: BudgetMode,
  settings: EarnSettings,
): Promise<{ awards: EvaluatedAward[]; firstWithPlatform: boolean; optimistic: boolean }> {
  const inForce = settings.campaigns ?? (await reads.campaignsInForce(occurredAt));
  // Only a first-order-at-the-merchant campaign asks; a first purchase anywhere is one here too.
  const asked = inForce.some((c) => c.firstOrder === 'MERCHANT');
  const firstWithMerchant =
    firstWithPlatform || (asked && !(await reads.boughtAtMerchant(p.memberId, p.merchantId)));
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
    if (c.spendTarget !== null) facts.spendBefore.set(c.id, await reads.spendInWindow(c, p.memberId));
  }
  const candidates = inForce.filter((c) => purchaseDisqualifier(toRule(c), facts) === null);
  if (mode === 'optimistic') {
    // The budgets as the earn settings were read (cached): not read again. A campaign's awarded
    // points only grow, so a stale row can only make a budget look roomier than it is, and the
    // write's conditional update (`awardedPoints + n <= budget`) then refuses and the purchase is
    // evaluated again, locked and fresh; a stale row that looks tighter goes locked at once.
    const usage = await reads.usage(candidates, p.memberId);
    const rules = candidates.map(toRule);
    const awards = evaluatePurchase(facts, settings.rates, rules, usage);
    const unbounded = rules.map((r) => ({ ...r, budget: null }));
    if (isDeepStrictEqual(awards, evaluatePurchase(facts, settings.rates, unbounded, usage)))
      return { awards, firstWithPlatform, optimistic: true };
    // A budget limits this purchase: decide it under the lock.
  }
  const campaigns = await reads.freshBudgets(candidates, mode !== 'read');
  const usage = await reads.usage(campaigns, p.memberId);
  return {
    awards: evaluatePurchase(facts, settings.rates, campaigns.map(toRule), usage),
    firstWithPlatform,
    optimistic: false,
  };
}
