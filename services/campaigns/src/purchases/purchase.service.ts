import { randomUUID } from 'node:crypto';
import {
  BadInputError,
  ConflictError,
  EntityReader,
  isUniqueViolation,
  Topics,
  type Database,
  type Transactor,
} from '@loyalty/platform';
import { CampaignRow, CampaignUsageRow } from '../campaigns/campaign.entity';
import { recordUsage } from '../campaigns/campaign.service';
import type { EarnSettingsCache } from '../campaigns/earn-settings.cache';
import type { MemberTierCache } from '../members/member-tier.cache';
import type { MemberFacts, MembersClient, MerchantFacts } from '../peers/members.client';
import type { PostingRow } from '../postings/posting.entity';
import { addPostings, postRowsSoon, type LedgerPoster, type NewPosting } from '../postings/posting.service';
import type { EvaluatedAward } from '../rules/earn.rules';
import { expiryOf, type TermsService } from '../terms/terms.service';
import {
  awardView,
  evaluateAt,
  previewReads,
  transactionReads,
  type EarnSettings,
  type EvaluationReads,
} from './purchase.evaluation';
import type { PurchaseInput } from './purchase.input';
import { MemberActivityRow, PurchaseRow } from './purchase.entity';
import {
  countPurchase,
  insertActivityIfMissing,
  insertAwards,
  insertPurchase,
  purchaseCount,
} from './purchase.sql';
import type { AwardView, PurchaseQueries, PurchaseResultView } from './purchase.queries';
import {
  normalizePurchase,
  purchaseKey,
  type NormalizedPurchase,
  type PurchaseLimits,
} from './purchase.rules';

/** A budget read without its lock was taken meanwhile: the transaction is rolled back. */
class BudgetRaced extends Error {}

/**
 * Members this process has recorded a purchase for: their activity row exists (rows are never
 * deleted) and their count is past zero (it never falls), so neither is asked again.
 */
const MAX_KNOWN_MEMBERS = 100_000;
const MAX_KNOWN_MERCHANTS = 10_000;

/**
 * Recording purchases (R1–R4, R6, R9, L7). A purchase, its breakdown, the ledger postings
 * it owes and its `purchase.recorded` event are written in one transaction; the postings then go
 * to the ledger (at once, or later by the poster when the ledger is down).
 */
export class PurchaseService {
  private readonly knownMembers = new Set<string>();
  private readonly merchants = new Map<string, MerchantFacts>();
  /** What every preview reads, without the query builder. */
  private readonly activity: EntityReader<MemberActivityRow>;
  private readonly previewReads: EvaluationReads;

  constructor(
    private readonly transactor: Transactor,
    private readonly db: Database,
    private readonly members: MembersClient,
    private readonly poster: LedgerPoster,
    private readonly terms: TermsService,
    private readonly queries: PurchaseQueries,
    private readonly limits: PurchaseLimits,
    private readonly settings: EarnSettingsCache,
    private readonly tiers: MemberTierCache,
  ) {
    this.activity = new EntityReader(transactor, MemberActivityRow);
    this.previewReads = previewReads(transactor, {
      campaigns: new EntityReader(transactor, CampaignRow),
      usage: new EntityReader(transactor, CampaignUsageRow),
    });
  }

  private async settingsFor(p: NormalizedPurchase, occurredAt: Date): Promise<EarnSettings> {
    const [campaigns, rates] = await Promise.all([
      this.settings.campaignsInForce(occurredAt),
      this.settings.ratesFor(p.merchantId),
    ]);
    return { campaigns, rates };
  }

  private get mysql() {
    return this.db.kind === 'mysql';
  }

  private async facts(p: NormalizedPurchase): Promise<{ member: MemberFacts; merchant: MerchantFacts }> {
    // A merchant's category never changes (members has no mutation for it): asked once. The
    // member's tier follows their spending: kept until it changes (see MemberTierCache).
    const known = this.merchants.get(p.merchantId);
    const { member, merchant } = known
      ? {
          member: await this.tiers.member(p.memberId, () => this.members.member(p.memberId)),
          merchant: known,
        }
      : await this.lookup(p.memberId, p.merchantId);
    if (!merchant) throw new BadInputError(`Unknown merchant ${p.merchantId}`, 'merchantId');
    if (!known) {
      if (this.merchants.size >= MAX_KNOWN_MERCHANTS) this.merchants.clear();
      this.merchants.set(p.merchantId, merchant);
    }
    if (!member) throw new BadInputError(`Unknown member ${p.memberId}`, 'memberId');
    return { member, merchant };
  }

  /** Member and merchant in one call (an unknown merchant), unless the member's tier is kept. */
  private async lookup(memberId: string, merchantId: string) {
    let merchant: MerchantFacts | null | undefined;
    const member = await this.tiers.member(memberId, async () => {
      const both = await this.members.lookup(memberId, merchantId);
      merchant = both.merchant;
      return both.member;
    });
    if (merchant === undefined) merchant = await this.members.merchant(merchantId);
    return { member, merchant };
  }

  /** R9: what a purchase would earn now, nothing written. */
  async preview(input: PurchaseInput): Promise<AwardView[]> {
    const now = new Date();
    const p = normalizePurchase(input, now, this.limits);
    const { member, merchant } = await this.facts(p);
    const validity = await this.terms.cachedValidityAt(now);
    const occurredAt = p.occurredAt ?? now;
    // Nothing is written, so nothing is read in a transaction: each read stands alone.
    const [settings, [activity]] = await Promise.all([
      this.settingsFor(p, occurredAt),
      this.activity.whereIn('memberId', [p.memberId]),
    ]);
    const { awards } = await evaluateAt(
      this.previewReads,
      p,
      member,
      merchant,
      occurredAt,
      (activity?.purchaseCount ?? 0) === 0,
      'read',
      settings,
    );
    return awards.map((a) => ({
      rule: a.ruleKey,
      kind: a.kind,
      points: a.points,
      reason: a.reason,
      campaignId: a.campaignId,
      expiresAt: expiryOf(now, a.validity ?? validity),
      status: 'PREVIEW',
      shortfall: null,
    }));
  }

  async record(input: PurchaseInput): Promise<PurchaseResultView> {
    const now = new Date();
    const p = normalizePurchase(input, now, this.limits);
    // The order is not looked up first: a retry is rare, and the purchase row's unique order id
    // stops it inside the transaction (rolled back, then answered below as the first time). Only
    // when the facts cannot be had (members unreachable, on a replica that has not kept them) is
    // the order looked up here, so that a retry is answered whatever has changed since.
    let facts: { member: MemberFacts; merchant: MerchantFacts };
    try {
      facts = await this.facts(p);
    } catch (error) {
      const existing = await this.queries.findByOrder(p.merchantId, p.orderId);
      if (existing) return this.replay(existing, p.hash);
      throw error;
    }
    const { member, merchant } = facts;
    const validity = await this.terms.cachedValidityAt(now);
    const occurredAt = p.occurredAt ?? now;
    const settings = await this.settingsFor(p, occurredAt);
    const known = this.knownMembers.has(p.memberId);
    if (this.mysql && !known) {
      // Outside the transaction (autocommit): the row every purchase of this member locks.
      await insertActivityIfMissing(this.db.dataSource.manager, p.memberId);
    }
    let outcome: { purchase: PurchaseRow; awards: EvaluatedAward[]; postings: PostingRow[] } | null = null;
    try {
      for (const mode of ['optimistic', 'locked'] as const) {
        outcome = await this.transactor
          .run(async ({ manager, sql, publish }) => {
            if (!this.mysql && !known) {
              await insertActivityIfMissing(manager, p.memberId);
            }
            // The member's activity row first: the count takes its lock.
            await countPurchase(sql, p.memberId, now);
            // A member this process has recorded a purchase for is past their first (the count
            // never falls): only others' count is read, under the lock just taken.
            const count = known ? 2 : await purchaseCount(sql, p.memberId);
            const { awards, firstWithPlatform } = await evaluateAt(
              transactionReads(manager),
              p,
              member,
              merchant,
              occurredAt,
              count === 1,
              mode,
              settings,
            );
            const purchase = Object.assign(new PurchaseRow(), {
              id: randomUUID(),
              merchantId: p.merchantId,
              orderId: p.orderId,
              memberId: p.memberId,
              amount: p.amount,
              currency: p.currency,
              greenAmount: p.greenAmount,
              merchantCategory: merchant.category,
              occurredAt,
              recordedAt: now,
              requestHash: p.hash,
              firstPurchase: firstWithPlatform,
              refundedAmount: 0,
              items: JSON.stringify(p.items),
            });
            await insertPurchase(sql, purchase);
            const postings = await addPostings(
              manager,
              awards.map((a): NewPosting => ({
                idempotencyKey: purchaseKey(p.merchantId, p.orderId, a),
                operation: 'CREDIT',
                memberId: p.memberId,
                kind: a.kind,
                points: a.points,
                reason: a.reason,
                merchantId: p.merchantId,
                campaignId: a.campaignId,
                sourceType: 'purchase',
                sourceId: purchase.id,
                validity: a.validity ?? validity,
                expiresAt: expiryOf(now, a.validity ?? validity),
              })),
              sql,
              // The request posts them itself once it commits (postRowsSoon).
              { postSoon: true },
            );
            await insertAwards(sql, purchase.id, awards, postings);
            // Campaigns' rows last and in id order: their locks are held only until the commit.
            const usage = awards
              .filter((a) => a.campaignId)
              .sort((a, b) => (a.campaignId! < b.campaignId! ? -1 : 1));
            for (const a of usage)
              await recordUsage(sql, a.campaignId!, p.memberId, a.points, () => new BudgetRaced());
            await publish({
              topic: Topics.purchaseRecorded,
              key: p.memberId,
              payload: {
                purchaseId: purchase.id,
                merchantId: p.merchantId,
                memberId: p.memberId,
                orderId: p.orderId,
                amount: p.amount,
                occurredAt: occurredAt.toISOString(),
                firstPurchase: firstWithPlatform,
                awards: awards.map((a) => ({ kind: a.kind, points: a.points })),
                green: p.items
                  .filter((i) => i.green)
                  .map((i) => ({ category: i.category, amount: i.amount })),
              },
            });
            return { purchase, awards, postings };
          })
          .catch((error: unknown) => {
            // Another purchase took the budget read without its lock: decide again, locked.
            if (error instanceof BudgetRaced && mode === 'optimistic') return null;
            throw error;
          });
        if (outcome) break;
      }
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // The order was recorded before, or by a concurrent request that committed first.
      const winner = await this.queries.findByOrder(p.merchantId, p.orderId);
      if (!winner) throw error;
      return this.replay(winner, p.hash);
    }
    if (!outcome) throw new Error('unreachable: the locked evaluation never races');
    if (this.knownMembers.size >= MAX_KNOWN_MEMBERS) this.knownMembers.clear();
    this.knownMembers.add(p.memberId);
    // The breakdown is answered from what was just written and posted: no re-read.
    await postRowsSoon(this.poster, outcome.postings);
    return {
      purchase: outcome.purchase,
      awards: outcome.awards.map((a, i) => awardView(a, outcome.postings[i])),
    };
  }

  private async replay(existing: PurchaseRow, hash: string): Promise<PurchaseResultView> {
    if (existing.requestHash !== hash) {
      throw new ConflictError(`Order ${existing.orderId} was already recorded with different data`);
    }
    return { purchase: existing, awards: (await this.queries.awardsOf([existing.id]))[0] };
  }
}
