import { randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import {
  alignToKeys,
  assertMerchantScope,
  BadInputError,
  ConflictError,
  isUniqueViolation,
  NotFoundError,
  requestHash,
  Topics,
  type Database,
  type Principal,
  type Transactor,
} from '@loyalty/platform';
import { CampaignRow } from '../campaigns/campaign.entity';
import { toRule } from '../campaigns/campaign.rules';
import { campaignsInForce, campaignUsage, recordUsage } from '../campaigns/campaign.service';
import type { MemberFacts, MembersClient, MerchantFacts } from '../peers/members.client';
import { PostingRow } from '../postings/posting.entity';
import { addPostings, type LedgerPoster, type NewPosting } from '../postings/posting.service';
import { ratesFor } from '../rates/earn-rate.service';
import {
  cumulativeReversal,
  evaluatePurchase,
  formatYuan,
  purchaseDisqualifier,
  type EvaluatedAward,
} from '../rules/rule-engine';
import { expiryOf, type TermsService } from '../terms/terms.service';
import type { PurchaseInput, RefundInput } from './purchase.input';
import { AwardRow, MemberActivityRow, PurchaseRow, RefundRow, ReversalRow } from './purchase.entity';

/** Preview: computed, not recorded. Pending: recorded, not yet in the ledger. Posted: in the ledger. */
export type AwardStatus = 'PREVIEW' | 'PENDING' | 'POSTED';

/** A line of a breakdown as the graph shows it. */
export interface AwardView {
  rule: string;
  kind: string;
  points: number;
  reason: string;
  campaignId: string | null;
  expiresAt: Date | null;
  status: AwardStatus;
  shortfall: number | null;
}

export interface PurchaseResultView {
  purchase: PurchaseRow;
  awards: AwardView[];
}

export interface RefundResultView {
  purchase: PurchaseRow;
  reversals: AwardView[];
  refundId: string;
  amount: number;
}

interface NormalizedItem {
  sku: string;
  category: string | null;
  amount: number;
  quantity: number;
  green: boolean;
}

interface NormalizedPurchase {
  merchantId: string;
  orderId: string;
  memberId: string;
  amount: number;
  currency: string;
  occurredAt: Date | null;
  items: NormalizedItem[];
  greenAmount: number;
  hash: string;
}

/** How far in the future a purchase time may be (clock skew between merchant and platform). */
const FUTURE_SKEW_MS = 5 * 60_000;
const MAX_ITEMS = 500;
/**
 * A merchant's own order or refund id: 1 to 64 visible characters (any script; no spaces or
 * control characters). Keys stay unambiguous: the rule after the last `:` never contains one.
 */
const KEY_PATTERN = /^[^\s\p{C}]+$/u;

/**
 * Ledger idempotency keys (the ledger takes at most 160 characters):
 * `campaigns:purchase:<merchantId>:<orderId>:<base | green | campaignId>` and
 * `campaigns:refund:<merchantId>:<refundId>:<kind>`.
 */
export const purchaseKey = (
  merchantId: string,
  orderId: string,
  award: Pick<EvaluatedAward, 'ruleKey' | 'campaignId'>,
) => `campaigns:purchase:${merchantId}:${orderId}:${award.campaignId ?? award.ruleKey}`;
export const refundKey = (merchantId: string, refundId: string, kind: string) =>
  `campaigns:refund:${merchantId}:${refundId}:${kind}`;

function checkKey(value: string, field: string): string {
  const v = value.trim();
  if (v.length > 64 || !KEY_PATTERN.test(v)) {
    throw new BadInputError(`${field} must be 1 to 64 visible characters without spaces`, field);
  }
  return v;
}

function checkId(value: string, field: string): string {
  const v = String(value).trim();
  if (!/^[A-Za-z0-9-]{1,36}$/.test(v)) throw new BadInputError(`${field} is not a valid id`, field);
  return v;
}

/** Validates a purchase before anything is read or written (BAD_USER_INPUT, nothing changed). */
export function normalizePurchase(input: PurchaseInput, now = new Date()): NormalizedPurchase {
  const merchantId = checkId(input.merchantId, 'merchantId');
  const memberId = checkId(input.memberId, 'memberId');
  const orderId = checkKey(input.orderId, 'orderId');
  if (!Number.isInteger(input.amount) || input.amount < 1) {
    throw new BadInputError('amount must be a positive whole number of minor units (fen)', 'amount');
  }
  const currency = (input.currency ?? 'CNY').trim().toUpperCase();
  if (currency !== 'CNY') throw new BadInputError('currency must be CNY (amounts in fen)', 'currency');
  const occurredAt = input.occurredAt ?? null;
  if (
    occurredAt &&
    (Number.isNaN(occurredAt.getTime()) || occurredAt.getTime() > now.getTime() + FUTURE_SKEW_MS)
  ) {
    throw new BadInputError('occurredAt must not be in the future', 'occurredAt');
  }
  const rawItems = input.items ?? [];
  if (rawItems.length > MAX_ITEMS) throw new BadInputError(`at most ${MAX_ITEMS} items`, 'items');
  const items = rawItems.map((item, i): NormalizedItem => {
    const field = `items.${i}`;
    const sku = item.sku.trim();
    if (!sku || sku.length > 64)
      throw new BadInputError(`${field}.sku must be 1 to 64 characters`, `${field}.sku`);
    if (!Number.isInteger(item.amount) || item.amount < 1) {
      throw new BadInputError(
        `${field}.amount must be a positive whole number of minor units`,
        `${field}.amount`,
      );
    }
    const quantity = item.quantity ?? 1;
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > 100_000) {
      throw new BadInputError(
        `${field}.quantity must be a whole number from 1 to 100000`,
        `${field}.quantity`,
      );
    }
    const category = item.category?.trim() || null;
    if (category && category.length > 40)
      throw new BadInputError(`${field}.category must be at most 40 characters`, `${field}.category`);
    return { sku, category, amount: item.amount, quantity, green: item.green ?? false };
  });
  const itemsTotal = items.reduce((s, i) => s + i.amount, 0);
  if (itemsTotal > input.amount) {
    throw new BadInputError(
      `items add up to ${itemsTotal}, more than the purchase amount ${input.amount}`,
      'items',
    );
  }
  const greenAmount = items.filter((i) => i.green).reduce((s, i) => s + i.amount, 0);
  const hash = requestHash('recordPurchase', {
    memberId,
    amount: input.amount,
    currency,
    occurredAt: occurredAt?.toISOString() ?? null,
    items,
  });
  return {
    merchantId,
    orderId,
    memberId,
    amount: input.amount,
    currency,
    occurredAt,
    items,
    greenAmount,
    hash,
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

/** A bounded wait: the ledger posting goes on in the background when it takes longer. */
const within = (work: Promise<unknown>, ms: number) =>
  Promise.race([work.catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);

/**
 * Purchases and refunds (R1–R4, R6, R7, R9, L7). A purchase, its breakdown, the ledger postings
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
    const budgeted = campaigns.filter((c) => c.budget !== null).map((c) => c.id);
    if (lock && this.mysql && budgeted.length) {
      // A budget is shared by every member: its row is locked (in id order) and read fresh.
      const fresh = await manager
        .createQueryBuilder(CampaignRow, 'c')
        .setLock('pessimistic_write')
        .where('c.id IN (:...ids)', { ids: budgeted })
        .orderBy('c.id', 'ASC')
        .getMany();
      const byId = new Map(fresh.map((c) => [c.id, c]));
      campaigns = campaigns.map((c) => byId.get(c.id) ?? c);
    }
    const usage = await campaignUsage(manager, campaigns, p.memberId);
    const rates = await ratesFor(manager, p.merchantId);
    return { awards: evaluatePurchase(facts, rates, campaigns.map(toRule), usage), firstWithPlatform };
  }

  /** R9: what a purchase would earn now, nothing written. */
  async preview(input: PurchaseInput, principal: Principal | null): Promise<AwardView[]> {
    assertMerchantScope(principal, input.merchantId);
    const now = new Date();
    const p = normalizePurchase(input, now);
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

  async record(input: PurchaseInput, principal: Principal | null): Promise<PurchaseResultView> {
    assertMerchantScope(principal, input.merchantId);
    const now = new Date();
    const p = normalizePurchase(input, now);
    const existing = await this.findByOrder(p.merchantId, p.orderId);
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
        const lockQuery = manager
          .createQueryBuilder(MemberActivityRow, 'a')
          .where('a.memberId = :id', { id: p.memberId });
        if (this.mysql) lockQuery.setLock('pessimistic_write');
        const activity = await lockQuery.getOneOrFail();
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
          },
        });
        return { purchase, postingIds: postings.map((x) => x.id) };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A concurrent request with the same order id committed first.
      const winner = await this.findByOrder(p.merchantId, p.orderId);
      if (!winner) throw error;
      return this.replay(winner, p.hash);
    }
    if ('replay' in outcome) return this.replay(outcome.replay, p.hash);
    await within(this.poster.postNow(outcome.postingIds), 3000);
    return { purchase: outcome.purchase, awards: (await this.awardsOf([outcome.purchase.id]))[0] };
  }

  private async replay(existing: PurchaseRow, hash: string): Promise<PurchaseResultView> {
    if (existing.requestHash !== hash) {
      throw new ConflictError(`Order ${existing.orderId} was already recorded with different data`);
    }
    return { purchase: existing, awards: (await this.awardsOf([existing.id]))[0] };
  }

  async findByOrder(merchantId: string, orderId: string): Promise<PurchaseRow | null> {
    return this.transactor.read((m) => m.findOneBy(PurchaseRow, { merchantId, orderId }));
  }

  /** Breakdowns of many purchases in two queries (DataLoader batch). */
  async awardsOf(purchaseIds: readonly string[]): Promise<AwardView[][]> {
    const { awards, postings } = await this.transactor.read(async (m) => {
      const awards = await m.find(AwardRow, {
        where: { purchaseId: In([...purchaseIds]) },
        order: { position: 'ASC' },
      });
      const postings = awards.length
        ? await m.findBy(PostingRow, { id: In(awards.map((a) => a.postingId)) })
        : [];
      return { awards, postings };
    });
    const postingById = new Map(postings.map((p) => [p.id, p]));
    const byPurchase = new Map<string, AwardView[]>();
    for (const a of awards) {
      const posting = postingById.get(a.postingId);
      const list = byPurchase.get(a.purchaseId) ?? [];
      list.push({
        rule: a.ruleKey,
        kind: a.kind,
        points: a.points,
        reason: a.reason,
        campaignId: a.campaignId,
        expiresAt: posting?.expiresAt ?? null,
        status: posting?.status === 'POSTED' ? 'POSTED' : 'PENDING',
        shortfall: null,
      });
      byPurchase.set(a.purchaseId, list);
    }
    return purchaseIds.map((id) => byPurchase.get(id) ?? []);
  }

  async byIds(ids: readonly string[]): Promise<(PurchaseRow | null)[]> {
    const rows = await this.transactor.read((m) => m.findBy(PurchaseRow, { id: In([...ids]) }));
    return alignToKeys(ids, rows, (r) => r.id);
  }

  /** Newest first, keyset-paginated on (recordedAt, id). */
  async list(
    filter: { merchantId?: string | null; memberId?: string | null },
    first: number,
    after: { t: number; id: string } | null,
  ) {
    return this.transactor.read((m) => {
      const qb = m
        .createQueryBuilder(PurchaseRow, 'p')
        .orderBy('p.recordedAt', 'DESC')
        .addOrderBy('p.id', 'DESC')
        .take(first + 1);
      if (filter.merchantId) qb.andWhere('p.merchantId = :merchantId', { merchantId: filter.merchantId });
      if (filter.memberId) qb.andWhere('p.memberId = :memberId', { memberId: filter.memberId });
      if (after) {
        qb.andWhere('(p.recordedAt < :t OR (p.recordedAt = :t AND p.id < :id))', {
          t: new Date(after.t),
          id: after.id,
        });
      }
      return qb.getMany();
    });
  }

  /** R7: takes back points in proportion to the refunded amount; idempotent by refundId. */
  async refund(input: RefundInput, principal: Principal | null): Promise<RefundResultView> {
    assertMerchantScope(principal, input.merchantId);
    const merchantId = checkId(input.merchantId, 'merchantId');
    const orderId = checkKey(input.orderId, 'orderId');
    const refundId = checkKey(input.refundId, 'refundId');
    const requested = input.amount ?? null;
    if (requested !== null && (!Number.isInteger(requested) || requested < 1)) {
      throw new BadInputError('amount must be a positive whole number of minor units (fen)', 'amount');
    }
    const hash = requestHash('refundPurchase', { orderId, amount: requested });
    const existing = await this.transactor.read((m) => m.findOneBy(RefundRow, { merchantId, refundId }));
    if (existing) return this.refundReplay(existing, hash);
    const purchase = await this.findByOrder(merchantId, orderId);
    if (!purchase) throw new NotFoundError(`Purchase of order ${orderId} at merchant`, merchantId);
    let outcome: { refund: RefundRow; purchase: PurchaseRow; postingIds: string[] } | { replay: RefundRow };
    try {
      outcome = await this.transactor.run(async ({ manager, publish }) => {
        const q = manager.createQueryBuilder(PurchaseRow, 'p').where('p.id = :id', { id: purchase.id });
        if (this.mysql) q.setLock('pessimistic_write');
        const locked = await q.getOneOrFail();
        const again = await manager.findOneBy(RefundRow, { merchantId, refundId });
        if (again) return { replay: again };
        const left = locked.amount - locked.refundedAmount;
        if (left <= 0) throw new BadInputError(`Order ${orderId} is already fully refunded`, 'amount');
        const amount = requested ?? left;
        if (amount > left) {
          throw new BadInputError(
            `amount ${amount} exceeds the ${left} left to refund of order ${orderId}`,
            'amount',
          );
        }
        const refundedTotal = locked.refundedAmount + amount;
        const now = new Date();
        const refund = manager.create(RefundRow, {
          id: randomUUID(),
          merchantId,
          refundId,
          purchaseId: locked.id,
          amount,
          requestHash: hash,
          createdAt: now,
        });
        const awards = await manager.find(AwardRow, {
          where: { purchaseId: locked.id },
          order: { position: 'ASC' },
        });
        const perKind = new Map<string, number>();
        for (const a of awards) {
          const target = cumulativeReversal(a.points, refundedTotal, locked.amount);
          const delta = target - a.reversedPoints;
          if (delta <= 0) continue;
          await manager.update(AwardRow, { id: a.id }, { reversedPoints: target });
          perKind.set(a.kind, (perKind.get(a.kind) ?? 0) + delta);
        }
        const reason = `Refund ${refundId}: ${formatYuan(amount)} of ${formatYuan(locked.amount)} yuan (order ${orderId})`;
        const kinds = [...perKind.entries()].filter(([, pts]) => pts > 0);
        const postings = await addPostings(
          manager,
          kinds.map(([kind, pts]) => ({
            idempotencyKey: refundKey(merchantId, refundId, kind),
            operation: 'REVERSE',
            memberId: locked.memberId,
            kind,
            points: pts,
            reason,
            merchantId,
            campaignId: null,
            sourceType: 'purchase',
            sourceId: locked.id,
            validity: null,
            expiresAt: null,
          })),
        );
        await manager.insert(RefundRow, refund);
        if (kinds.length) {
          await manager.insert(
            ReversalRow,
            kinds.map(([kind, pts], i) => ({
              id: randomUUID(),
              refundRowId: refund.id,
              kind,
              points: pts,
              reason,
              postingId: postings[i].id,
            })),
          );
        }
        locked.refundedAmount = refundedTotal;
        await manager.update(PurchaseRow, { id: locked.id }, { refundedAmount: refundedTotal });
        await publish({
          topic: Topics.purchaseRefunded,
          key: locked.memberId,
          payload: {
            purchaseId: locked.id,
            refundId,
            merchantId,
            memberId: locked.memberId,
            amount,
            refundedTotal,
            fullyRefunded: refundedTotal >= locked.amount,
          },
        });
        return { refund, purchase: locked, postingIds: postings.map((x) => x.id) };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.transactor.read((m) => m.findOneBy(RefundRow, { merchantId, refundId }));
      if (!winner) throw error;
      return this.refundReplay(winner, hash);
    }
    if ('replay' in outcome) return this.refundReplay(outcome.replay, hash);
    await within(this.poster.postNow(outcome.postingIds), 3000);
    return this.refundResult(outcome.refund);
  }

  private async refundReplay(existing: RefundRow, hash: string): Promise<RefundResultView> {
    if (existing.requestHash !== hash)
      throw new ConflictError(`Refund ${existing.refundId} was already made with different data`);
    return this.refundResult(existing);
  }

  private async refundResult(refund: RefundRow): Promise<RefundResultView> {
    const { purchase, reversals, postings } = await this.transactor.read(async (m) => {
      const purchase = await m.findOneByOrFail(PurchaseRow, { id: refund.purchaseId });
      const reversals = await m.find(ReversalRow, {
        where: { refundRowId: refund.id },
        order: { kind: 'DESC' },
      });
      const postings = reversals.length
        ? await m.findBy(PostingRow, { id: In(reversals.map((r) => r.postingId)) })
        : [];
      return { purchase, reversals, postings };
    });
    const byId = new Map(postings.map((p) => [p.id, p]));
    return {
      purchase,
      refundId: refund.refundId,
      amount: refund.amount,
      reversals: reversals.map((r) => {
        const posting = byId.get(r.postingId);
        return {
          rule: 'refund',
          kind: r.kind,
          points: -r.points,
          reason: r.reason,
          campaignId: null,
          expiresAt: null,
          status: posting?.status === 'POSTED' ? 'POSTED' : 'PENDING',
          shortfall: posting?.shortfall ?? null,
        };
      }),
    };
  }
}
