import {
  CHECKED_BY_FIELDS,
  assertCanReadMember,
  assertCanReadMemberPrivate,
  assertMerchantScope,
  ForbiddenError,
  isPrivileged,
  requireRole,
  type EntityPolicy,
  type Principal,
} from '@loyalty/platform';
import type { CatalogContext } from './context';
import type { RedemptionRow } from './redemptions/redemption.entity';
import type { Canceller } from './redemptions/redemption.state';
import type { RewardRow } from './rewards/reward.entity';

/**
 * Who may see, redeem, fulfil, cancel and manage what in the catalog: every authorisation
 * decision of the service, called by resolvers and by services where the decision needs a row.
 */

/** `member:<id>`, `partner:<merchantId>`, `admin:<sub>`: who did something, for the trail. */
export function actorOf(p: Principal): string {
  return `${p.role}:${p.role === 'partner' ? p.merchantId : p.sub}`;
}

/** Object-level access to a redemption: the member, the reward's merchant, the operator. */
export function assertCanReadRedemption(
  principal: Principal | null,
  row: Pick<RedemptionRow, 'memberId' | 'merchantId'>,
): Principal {
  const p = requireRole(principal, 'member', 'partner', 'admin', 'service');
  if (p.role === 'member' && p.sub !== row.memberId)
    throw new ForbiddenError('A member sees only their own redemptions');
  if (p.role === 'partner' && p.merchantId !== row.merchantId)
    throw new ForbiddenError("A partner sees only its own merchant's redemptions");
  return p;
}

/** Whose merchant's redemptions a list shows: a partner its own by default, the operator any (null: all). */
export function redemptionListScope(principal: Principal | null, merchantId: string | null): string | null {
  const p = requireRole(principal, 'partner', 'admin');
  const scope = merchantId ?? (p.role === 'partner' ? p.merchantId! : null);
  if (scope !== null) assertMerchantScope(p, scope);
  return scope;
}

/** Who redeems (members, partners in store, the operator); the caller must be one of them. */
export function requireRedeemer(principal: Principal | null): Principal {
  return requireRole(principal, 'member', 'partner', 'admin');
}

/** For whom a redeemer redeems: a member only for themself, others for a member they name. */
export function redeemingFor(p: Principal, memberId: string | null | undefined): string | null {
  if (p.role === 'member') {
    if (memberId && memberId !== p.sub) throw new ForbiddenError('A member redeems only for themself');
    return p.sub;
  }
  return memberId || null;
}

/**
 * Consent at the till: a partner redeeming for a member must give the member's one-time code
 * (FORBIDDEN without one); the operator may redeem without one (its actor is in the trail), and a
 * member redeeming for themself needs none. Returns the code to consume, or null.
 */
export function memberCodeToConsume(p: Principal, memberCode: string | null | undefined): string | null {
  if (p.role === 'member') return null;
  const code = memberCode?.trim() || null;
  if (p.role === 'partner' && !code) {
    throw new ForbiddenError("A partner redeems for a member only with the code the member's app shows");
  }
  return code;
}

/** A partner redeems only its own merchant's rewards. */
export function assertCanRedeem(p: Principal, reward: Pick<RewardRow, 'merchantId'>): void {
  if (p.role === 'partner' && reward.merchantId !== p.merchantId) {
    throw new ForbiddenError("A partner redeems only its own merchant's rewards");
  }
}

/** Who may ask to cancel a redemption (what they may cancel is {@link cancellerOf}'s and the state's). */
export function requireCanceller(principal: Principal | null): Principal {
  return requireRole(principal, 'member', 'partner', 'admin');
}

/** Who cancels, which decides what is allowed and whether compensation is owed (C6). */
export function cancellerOf(p: Principal, compensate: boolean | null | undefined): Canceller {
  const by: Canceller = p.role === 'member' ? 'member' : p.role === 'partner' ? 'merchant' : 'operator';
  if (by === 'member' && compensate)
    throw new ForbiddenError('Only the merchant or the operator grants compensation');
  return by;
}

/** Who fulfils: the reward's merchant or the operator. */
export function requireFulfiller(principal: Principal | null): Principal {
  return requireRole(principal, 'partner', 'admin');
}

/** Who manages a reward: the owning merchant's partner, or the operator. */
export function assertCanManageReward(
  principal: Principal | null,
  reward: Pick<RewardRow, 'merchantId'>,
): Principal {
  const p = requireRole(principal, 'partner', 'admin', 'service');
  if (reward.merchantId === null) {
    if (p.role === 'partner') throw new ForbiddenError("Only the operator manages the operator's rewards");
    return p;
  }
  return assertMerchantScope(p, reward.merchantId);
}

/** Whose reward a new one is: a partner's own merchant's, or the operator's choice (null: the operator's). */
export function rewardOwnerFor(
  principal: Principal | null,
  merchantId: string | null | undefined,
): string | null {
  const p = requireRole(principal, 'partner', 'admin');
  const owner = merchantId ?? (p.role === 'partner' ? p.merchantId! : null);
  if (owner !== null) assertMerchantScope(p, owner);
  else if (p.role === 'partner') throw new ForbiddenError('A partner creates rewards for its own merchant');
  return owner;
}

/** Delisted and personal rewards are listed to the operator, or to a partner for its own merchant's. */
export function assertCanListInactive(principal: Principal | null, merchantId: string | null): void {
  const ownMerchant =
    principal?.role === 'partner' && merchantId !== null && principal.merchantId === merchantId;
  if (!isPrivileged(principal) && !ownMerchant)
    throw new ForbiddenError('Only the operator or the owning partner lists inactive rewards');
}

/** A member's redemptions: the member themself and the operator. */
export function assertCanListRedemptionsOf(principal: Principal | null, memberId: string): void {
  assertCanReadMemberPrivate(principal, memberId);
}

/** What a member may redeem now: whoever may read the member. */
export function assertCanListEligibleRewardsOf(principal: Principal | null, memberId: string): void {
  assertCanReadMember(principal, memberId);
}

/**
 * Whether the caller sees a reward at all: rewards offered to everyone are public; a personal
 * reward (offered only to the members of its audience) is seen by those members, its merchant's
 * partner and the operator, and by nobody else, not even as existing.
 */
export async function canSeeReward(
  ctx: CatalogContext,
  reward: Pick<RewardRow, 'id' | 'personal' | 'merchantId'>,
): Promise<boolean> {
  if (!reward.personal || isPrivileged(ctx.principal)) return true;
  const p = ctx.principal;
  if (p?.role === 'partner') return reward.merchantId !== null && p.merchantId === reward.merchantId;
  if (p?.role === 'member') return ctx.loaders.chosen.load({ rewardId: reward.id, memberId: p.sub });
  return false;
}

/** Who reads which entity, by `reward(id)`, `redemption(id)` or another subgraph's reference. */
export const catalogEntityPolicy: EntityPolicy<CatalogContext> = {
  Reward: canSeeReward,
  Redemption: (ctx, row: RedemptionRow) => {
    assertCanReadRedemption(ctx.principal, row);
    return true;
  },
  Member: CHECKED_BY_FIELDS,
};
