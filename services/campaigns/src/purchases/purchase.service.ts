import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  BadInputError,
  ConflictError,
  forUpdate,
  isUniqueViolation,
  Topics,
  type Database,
  type Transactor,
} from '@loyalty/platform';
import type { CampaignRow } from '../campaigns/campaign.entity';
import { toRule } from '../campaigns/campaign.rules';
import { campaignsInForce, campaignUsage, lockBudgets, recordUsage } from '../campaigns/campaign.service';
import type { MemberFacts, MembersClient, MerchantFacts } from '../peers/members.client';
import { addPostings, postSoon, type LedgerPoster, type NewPosting } from '../postings/posting.service';
import { ratesFor } from '../rates/earn-rate.service';
import { evaluatePurchase, purchaseDisqualifier, type EvaluatedAward } from '../rules/earn.rules';
import { expiryOf, type TermsService } from '../terms/terms.service';
import type { PurchaseInput } from './purchase.input';
import { AwardRow, MemberActivityRow, PurchaseRow } from './purchase.entity';
import type { AwardView, PurchaseQueries, PurchaseResultView } from './purchase.queries';
import {
  normalizePurchase,
  purchaseKey,
  type NormalizedPurchase,
  type PurchaseLimits,
} from './purchase.rules';

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
 * Recording purchases (R1–R4, R6, R9, L7). A purchase, its breakdown, the ledger postings
 * it owes and its `purchase.recorded` event are written in one transaction; the postings then go
 * to the ledger (at once, or later by the poster when the ledger is down).
 */
export class PurchaseService {
  constructor(
    private readonly transactor: Transactor,
    private readonly db: Database,
    private readonly members: MembersClient,
    private readonly poster: LedgerPoster,
    private readonly terms: TermsService,
    private readonly queries: PurchaseQueries,
    private readonly limits: PurchaseLimits,
  ) {}

  private get mysql() {
    return this.db.kind === 'mysql';
  }

  private async facts(p: NormalizedPurchase): Promise<{ member: MemberFacts; merchant: MerchantFacts }> {
    const { member, merchant } = await this.members.lookup(p.memberId, p.merchantId);
    if (!merchant) throw new BadInputError(`Unknown merchant ${p.merchantId}`, 'merchantId');
    if (!member) throw new BadInputError(`Unknown member ${p.memberId}`, 'memberId');
    return { member, merchant };
  }

  /** The rule engine over what the database says now; `lock` takes the locks a write needs. */
  private async evaluate(
    manager: EntityManager,
    p: NormalizedPurchase,
    member: MemberFacts,
    merchant: MerchantFacts,
    occurredAt: Date,
    firstWithPlatform: boolean,
    lock: boolean,
  ): Promise<{ awards: EvaluatedAward[]; firstWithPlatform: boolean }> {
    const firstWithMerchant = !(await manager.exists(PurchaseRow, {
      where: { memberId: p.memberId, merchantId: p.merchantId },
    }));
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
    const inForce = await campaignsInForce(manager, occurredAt);
    for (const c of inForce) {
      if (c.spendTarget !== null) facts.spendBefore.set(c.id, await spendInWindow(manager, c, p.memberId));
    }
    let campaigns = inForce.filter((c) => purchaseDisqualifier(toRule(c), facts) === null);
    if (lock) campaigns = await lockBudgets(manager, campaigns);
    const usage = await campaignUsage(manager, campaigns, p.memberId);
    const rates = await ratesFor(manager, p.merchantId);
    return { awards: evaluatePurchase(facts, rates, campaigns.map(toRule), usage), firstWithPlatform };
  }

  /** R9: what a purchase would earn now, nothing written. */
  async preview(input: PurchaseInput): Promise<AwardView[]> {
    const now = new Date();
    const p = normalizePurchase(input, now, this.limits);
    const { member, merchant } = await this.facts(p);
    const validity = await this.terms.validityAt(now);
    const occurredAt = p.occurredAt ?? now;
    const { awards } = await this.transactor.read(async (manager) => {
      const activity = await manager.findOneBy(MemberActivityRow, { memberId: p.memberId });
      return this.evaluate(
        manager,
        p,
        member,
        merchant,
        occurredAt,
        (activity?.purchaseCount ?? 0) === 0,
        false,
      );
    });
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
    const existing = await this.queries.findByOrder(p.merchantId, p.orderId);
    if (existing) return this.replay(existing, p.hash);
    const { member, merchant } = await this.facts(p);
    const validity = await this.terms.validityAt(now);
    if (this.mysql) {
      // Outside the transaction (autocommit): the row every purchase of this member locks.
      await this.db.dataSource
        .createQueryBuilder()
        .insert()
        .into(MemberActivityRow)
        .values({ memberId: p.memberId, purchaseCount: 0, lastPurchaseAt: null, recalledAt: null })
        .orIgnore()
        .execute();
    }
    let outcome: { purchase: PurchaseRow; postingIds: string[] } | { replay: PurchaseRow };
    try {
      outcome = await this.transactor.run(async ({ manager, publish }) => {
        if (!this.mysql) {
          await manager
            .createQueryBuilder()
            .insert()
            .into(MemberActivityRow)
            .values({ memberId: p.memberId, purchaseCount: 0, lastPurchaseAt: null, recalledAt: null })
            .orIgnore()
            .execute();
        }
        const activity = await forUpdate(
          manager.createQueryBuilder(MemberActivityRow, 'a').where('a.memberId = :id', { id: p.memberId }),
        ).getOneOrFail();
        const again = await manager.findOneBy(PurchaseRow, { merchantId: p.merchantId, orderId: p.orderId });
        if (again) return { replay: again };
        const occurredAt = p.occurredAt ?? now;
        const { awards, firstWithPlatform } = await this.evaluate(
          manager,
          p,
          member,
          merchant,
          occurredAt,
          activity.purchaseCount === 0,
          true,
        );
        const purchase = manager.create(PurchaseRow, {
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
        await manager.insert(PurchaseRow, purchase);
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
        );
        if (awards.length) {
          await manager.insert(
            AwardRow,
            awards.map((a, i) => ({
              id: randomUUID(),
              purchaseId: purchase.id,
              position: i,
              ruleKey: a.ruleKey,
              kind: a.kind,
              points: a.points,
              reversedPoints: 0,
              reason: a.reason,
              campaignId: a.campaignId,
              postingId: postings[i].id,
            })),
          );
        }
        await manager.update(
          MemberActivityRow,
          { memberId: p.memberId },
          { purchaseCount: activity.purchaseCount + 1, lastPurchaseAt: now },
        );
        for (const a of awards)
          if (a.campaignId) await recordUsage(manager, a.campaignId, p.memberId, a.points);
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
            green: p.items.filter((i) => i.green).map((i) => ({ category: i.category, amount: i.amount })),
          },
        });
        return { purchase, postingIds: postings.map((x) => x.id) };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A concurrent request with the same order id committed first.
      const winner = await this.queries.findByOrder(p.merchantId, p.orderId);
      if (!winner) throw error;
      return this.replay(winner, p.hash);
    }
    if ('replay' in outcome) return this.replay(outcome.replay, p.hash);
    await postSoon(this.poster, outcome.postingIds);
    return { purchase: outcome.purchase, awards: (await this.queries.awardsOf([outcome.purchase.id]))[0] };
  }

  private async replay(existing: PurchaseRow, hash: string): Promise<PurchaseResultView> {
    if (existing.requestHash !== hash) {
      throw new ConflictError(`Order ${existing.orderId} was already recorded with different data`);
    }
    return { purchase: existing, awards: (await this.queries.awardsOf([existing.id]))[0] };
  }
}
