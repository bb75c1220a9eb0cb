import {
  CHECKED_BY_FIELDS,
  PUBLIC_ENTITY,
  assertMerchantScope,
  BadInputError,
  ForbiddenError,
  isPrivileged,
  requireRole,
  type EntityPolicy,
  type Principal,
} from '@loyalty/platform';
import type { CampaignsContext } from './context';
import type { PurchaseRow } from './purchases/purchase.entity';

/**
 * Who may do what in the campaigns service: the one place resolvers ask. Operator-only
 * operations (campaigns, rates, terms, recall) are marked `@Authorized('admin')` on the resolver.
 */
export const campaignsPolicy = {
  /** Recording, previewing, refunding or reading a merchant's purchase: its partner, operator, services. */
  actForMerchant(principal: Principal | null, merchantId: string): void {
    assertMerchantScope(principal, merchantId);
  },

  /**
   * Listing a merchant's purchases: a partner its own merchant (the one named, else its own),
   * the operator and services any one or all. Returns the merchant to list (null: all).
   */
  merchantPurchasesScope(principal: Principal | null, merchantId: string | null): string | null {
    const p = requireRole(principal, 'partner', 'admin', 'service');
    const scope = p.role === 'partner' ? (merchantId ?? p.merchantId ?? '') : merchantId;
    if (scope) assertMerchantScope(p, scope);
    return scope;
  },

  /**
   * A member's purchases: the member themself and the operator see all; a partner only its own
   * merchant's. Returns the merchant the list is narrowed to (null: none).
   */
  memberPurchasesScope(principal: Principal | null, memberId: string): string | null {
    const p = requireRole(principal, 'member', 'partner', 'admin', 'service');
    if (p.role === 'member' && p.sub !== memberId)
      throw new ForbiddenError('A member may only read their own data');
    const merchantId = p.role === 'partner' ? p.merchantId : null;
    if (p.role === 'partner' && !merchantId) throw new BadInputError('Partner token lacks merchantId');
    if (!isPrivileged(p) && p.role !== 'member' && p.role !== 'partner') throw new ForbiddenError();
    return merchantId ?? null;
  },

  /** One purchase: its member, its merchant's partner, the operator and services. */
  readPurchase(principal: Principal | null, purchase: Pick<PurchaseRow, 'memberId' | 'merchantId'>): void {
    const p = requireRole(principal, 'member', 'partner', 'admin', 'service');
    if (p.role === 'member' && p.sub !== purchase.memberId)
      throw new ForbiddenError('A member sees only their own purchases');
    if (p.role === 'partner') assertMerchantScope(p, purchase.merchantId);
  },
};

/** Who reads which entity through another subgraph's reference: campaigns are public (R5). */
export const campaignsEntityPolicy: EntityPolicy<CampaignsContext> = {
  Campaign: PUBLIC_ENTITY,
  Purchase: (ctx, row: PurchaseRow) => {
    campaignsPolicy.readPurchase(ctx.principal, row);
    return true;
  },
  Member: CHECKED_BY_FIELDS,
};
