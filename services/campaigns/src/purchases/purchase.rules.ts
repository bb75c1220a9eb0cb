import { BadInputError, checkDateWithin, checkText, requestHash } from '@loyalty/platform';
import type { EvaluatedAward } from '../rules/earn.rules';
import type { PurchaseInput, RefundInput } from './purchase.input';

export interface NormalizedItem {
  sku: string;
  category: string | null;
  amount: number;
  quantity: number;
  green: boolean;
}

/** A purchase as validated: ids checked, items parsed, its request fingerprint taken. */
export interface NormalizedPurchase {
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

/** What a partner may report (PURCHASE_AMOUNT_MAX, PURCHASE_BACKDATING_LIMIT). */
export interface PurchaseLimits {
  /** Largest purchase or line amount in minor units. */
  amountMax: number;
  /** Oldest `occurredAt` accepted, as a distance from now. */
  backdatingMs: number;
}

/** Defaults of the settings, for callers that bring none (tests of the rules). */
export const DEFAULT_PURCHASE_LIMITS: PurchaseLimits = {
  amountMax: 10_000_000,
  backdatingMs: 30 * 86_400_000,
};

/** A whole number of minor units from 1 to the limit. */
function checkAmount(value: number, field: string, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new BadInputError(`${field} must be a whole number of minor units (fen) from 1 to ${max}`, field);
  }
  return value;
}
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

export function checkKey(value: string, field: string): string {
  const v = value.trim();
  if (v.length > 64 || !KEY_PATTERN.test(v)) {
    throw new BadInputError(`${field} must be 1 to 64 visible characters without spaces`, field);
  }
  return v;
}

export function checkId(value: string, field: string): string {
  const v = String(value).trim();
  if (!/^[A-Za-z0-9-]{1,36}$/.test(v)) throw new BadInputError(`${field} is not a valid id`, field);
  return v;
}

/** Validates a purchase before anything is read or written (BAD_USER_INPUT, nothing changed). */
export function normalizePurchase(
  input: PurchaseInput,
  now = new Date(),
  limits: PurchaseLimits = DEFAULT_PURCHASE_LIMITS,
): NormalizedPurchase {
  const merchantId = checkId(input.merchantId, 'merchantId');
  const memberId = checkId(input.memberId, 'memberId');
  const orderId = checkKey(input.orderId, 'orderId');
  checkAmount(input.amount, 'amount', limits.amountMax);
  const currency = (input.currency ?? 'CNY').trim().toUpperCase();
  if (currency !== 'CNY') throw new BadInputError('currency must be CNY (amounts in fen)', 'currency');
  const occurredAt = input.occurredAt ?? null;
  if (occurredAt) {
    checkDateWithin(
      occurredAt,
      'occurredAt',
      { from: new Date(now.getTime() - limits.backdatingMs), to: new Date(now.getTime() + FUTURE_SKEW_MS) },
      'occurredAt must not be in the future, nor older than the backdating limit',
    );
  }
  const rawItems = input.items ?? [];
  if (rawItems.length > MAX_ITEMS) throw new BadInputError(`at most ${MAX_ITEMS} items`, 'items');
  const items = rawItems.map((item, i): NormalizedItem => {
    const field = `items.${i}`;
    const sku = checkText(item.sku, `${field}.sku`, 64);
    checkAmount(item.amount, `${field}.amount`, limits.amountMax);
    const quantity = item.quantity ?? 1;
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > 100_000) {
      throw new BadInputError(
        `${field}.quantity must be a whole number from 1 to 100000`,
        `${field}.quantity`,
      );
    }
    const category = item.category?.trim() ? checkText(item.category, `${field}.category`, 40) : null;
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

/** A refund request as validated (BAD_USER_INPUT before anything is read or written). */
export interface NormalizedRefund {
  merchantId: string;
  orderId: string;
  refundId: string;
  /** Minor units; null: whatever is left of the purchase. */
  requested: number | null;
  hash: string;
}

export function normalizeRefund(
  input: RefundInput,
  limits: PurchaseLimits = DEFAULT_PURCHASE_LIMITS,
): NormalizedRefund {
  const merchantId = checkId(input.merchantId, 'merchantId');
  const orderId = checkKey(input.orderId, 'orderId');
  const refundId = checkKey(input.refundId, 'refundId');
  const requested = input.amount ?? null;
  if (requested !== null) checkAmount(requested, 'amount', limits.amountMax);
  const hash = requestHash('refundPurchase', { orderId, amount: requested });
  return { merchantId, orderId, refundId, requested, hash };
}
