import { ForbiddenError, UnauthenticatedError } from '../errors/errors';
import type { Principal, Role } from './principal';

/** Anyone who has presented a valid token. */
export function requireAuthenticated(principal: Principal | null): Principal {
  if (!principal) throw new UnauthenticatedError();
  return principal;
}

/** The caller holds one of these roles; otherwise UNAUTHENTICATED (anonymous) or FORBIDDEN. */
export function requireRole(principal: Principal | null, ...roles: Role[]): Principal {
  const p = requireAuthenticated(principal);
  if (!roles.includes(p.role)) throw new ForbiddenError(`Requires role ${roles.join(' or ')}`);
  return p;
}

/** Operator or an internal service: sees everything. */
export function isPrivileged(principal: Principal | null): boolean {
  return principal?.role === 'admin' || principal?.role === 'service';
}

/**
 * Object-level check for reading a member: a member only themself, partners any member (with
 * masked contact data), admins and services everyone.
 */
export function assertCanReadMember(principal: Principal | null, memberId: string): Principal {
  const p = requireAuthenticated(principal);
  if (p.role === 'member' && p.sub !== memberId)
    throw new ForbiddenError('A member may only read their own data');
  return p;
}

/** Object-level check for private member data (history, redemptions): partners are excluded. */
export function assertCanReadMemberPrivate(principal: Principal | null, memberId: string): Principal {
  const p = assertCanReadMember(principal, memberId);
  if (p.role === 'partner') throw new ForbiddenError("A partner may not read a member's private records");
  return p;
}

/** A partner acts only for its own merchant; admins and services for any. */
export function assertMerchantScope(principal: Principal | null, merchantId: string): Principal {
  const p = requireAuthenticated(principal);
  if (isPrivileged(p)) return p;
  if (p.role === 'partner' && p.merchantId === merchantId) return p;
  throw new ForbiddenError('Not allowed for this merchant');
}

/** `138****5678`: keeps the first 3 and last 4 digits, as Chinese apps conventionally show. */
export function maskPhone(phone: string): string {
  if (phone.length <= 7) return '*'.repeat(phone.length);
  const prefix = phone.startsWith('+') ? phone.slice(0, phone.length - 8) : phone.slice(0, 3);
  return `${prefix}****${phone.slice(-4)}`;
}

/** `a***@example.com`. */
export function maskEmail(email: string): string {
  const [local, domain] = email.split('@');
  return `${local.slice(0, 1)}***@${domain ?? ''}`;
}
