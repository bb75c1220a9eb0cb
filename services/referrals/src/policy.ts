import {
  CHECKED_BY_FIELDS,
  assertCanReadMember,
  assertCanReadMemberPrivate,
  BadInputError,
  ForbiddenError,
  isPrivileged,
  requireAuthenticated,
  requireRole,
  type EntityPolicy,
  type Principal,
} from '@loyalty/platform';
import type { ReferralsContext } from './context';
import type { ReferralRow } from './referrals/referral.entity';

/**
 * Who may do what in the referrals service: the one place resolvers and services ask.
 * A member reaches their own codes and invitations; the operator and services reach all.
 */
export const referralsPolicy = {
  /** A member's code, link and first-order discount: the member, partners at checkout, operator. */
  readMember: assertCanReadMember,

  /** A member's invitations and who invited them: the member and the operator only. */
  readMemberPrivate: assertCanReadMemberPrivate,

  /** A referral is seen by its inviter, its invitee, the operator and services. */
  readReferral(principal: Principal | null, referral: ReferralRow): void {
    const p = requireAuthenticated(principal);
    if (isPrivileged(p)) return;
    if (p.role === 'member' && (p.sub === referral.inviterId || p.sub === referral.inviteeId)) return;
    throw new ForbiddenError('Only the inviter, the invitee or the operator may see this referral');
  },

  /**
   * Applying a friend's code: a member for themself, the operator (or a service) naming the
   * member. Returns the invitee the code is applied for.
   */
  applyCodeFor(principal: Principal | null, memberId: string | null): string {
    const p = requireAuthenticated(principal);
    if (p.role === 'member') {
      if (memberId && memberId !== p.sub)
        throw new ForbiddenError('A member may only apply a code for themself');
      return p.sub;
    }
    if (p.role === 'admin' || p.role === 'service') {
      if (!memberId)
        throw new BadInputError('memberId is required when the operator applies a code', 'memberId');
      return memberId;
    }
    throw new ForbiddenError('Only the member or the operator may apply a referral code');
  },

  /** The inviter behind a code: services (members, before a sign-up) and the operator. */
  lookUpCodeOwner(principal: Principal | null): void {
    requireRole(principal, 'service', 'admin');
  },
};

/** Who reads which entity through another subgraph's reference. */
export const referralsEntityPolicy: EntityPolicy<ReferralsContext> = {
  Referral: (ctx, row: ReferralRow) => {
    referralsPolicy.readReferral(ctx.principal, row);
    return true;
  },
  Member: CHECKED_BY_FIELDS,
};
