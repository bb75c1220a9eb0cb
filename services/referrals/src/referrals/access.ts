import { ForbiddenError, isPrivileged, requireAuthenticated, type Principal } from '@loyalty/platform';
import type { ReferralRow } from './referral.entity';

/** A referral is seen by its inviter, its invitee, the operator and services. */
export function assertCanReadReferral(principal: Principal | null, referral: ReferralRow): void {
  const p = requireAuthenticated(principal);
  if (isPrivileged(p)) return;
  if (p.role === 'member' && (p.sub === referral.inviterId || p.sub === referral.inviteeId)) return;
  throw new ForbiddenError('Only the inviter, the invitee or the operator may see this referral');
}
