import { BadInputError, requestHash } from '@loyalty/platform';
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

/** A refund request as validated (BAD_USER_INPUT before anything is read or written). */
export interface NormalizedRefund {
  merchantId: string;
  orderId: string;
  refundId: string;
  /** Minor units; null: whatever is left of the purchase. */
  requested: number | null;
  hash: string;
}

export function normalizeRefund(input: RefundInput): NormalizedRefund {
  const merchantId = checkId(input.merchantId, 'merchantId');
  const orderId = checkKey(input.orderId, 'orderId');
  const refundId = checkKey(input.refundId, 'refundId');
  const requested = input.amount ?? null;
  if (requested !== null && (!Number.isInteger(requested) || requested < 1)) {
    throw new BadInputError('amount must be a positive whole number of minor units (fen)', 'amount');
  }
  const hash = requestHash('refundPurchase', { orderId, amount: requested });
  return { merchantId, orderId, refundId, requested, hash };
}
