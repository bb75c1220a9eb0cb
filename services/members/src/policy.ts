import {
  assertCanReadMember,
  assertCanReadMemberPrivate,
  ForbiddenError,
  isPrivileged,
  requireAuthenticated,
  requireRole,
  type Principal,
} from '@loyalty/platform';

/**
 * Who may read and write what in the members service: members, merchants and personal data.
 * Operator-only operations (listing members, onboarding merchants, issuing partner tokens) are
 * gated by role with `@Authorized('admin')` on their resolvers, which type-graphql checks before
 * it validates arguments; every rule that depends on the caller and the record is here, and the
 * resolvers call it before the services.
 */

/** `me`: the member behind a member token. */
export function requireMemberSelf(principal: Principal | null): Principal {
  return requireRole(principal, 'member');
}

/** Reading a member: a member only themself, partners any (contact data masked), operators all. */
export function authorizeMemberRead(principal: Principal | null, memberId: string): Principal {
  return assertCanReadMember(principal, memberId);
}

/** Other subgraphs' `Member` references: no public field returns a Member to anonymous callers. */
export function authorizeMemberReference(principal: Principal | null): Principal {
  return requireAuthenticated(principal);
}

/** Contact data in full for the member themself and the operator; masked for everyone else. */
export function seesContactOf(principal: Principal | null, memberId: string): boolean {
  return isPrivileged(principal) || (principal?.role === 'member' && principal.sub === memberId);
}

/**
 * Who may sign a member up, and the channel it is recorded under: anyone anonymously (`self`), a
 * partner in store, the operator or a service; never a signed-in member for someone else.
 */
export function registrationChannel(principal: Principal | null): string {
  if (!principal) return 'self';
  if (principal.role === 'partner') return `partner:${principal.merchantId}`;
  if (principal.role === 'admin' || principal.role === 'service') return principal.role;
  throw new ForbiddenError('A signed-in member cannot register another member');
}

/**
 * Whose personal data a privacy request (export, erasure, consent) is about: a member acts on
 * their own (memberId omitted), the operator names the member; partners never.
 */
export function privacySubject(
  principal: Principal | null,
  memberId: string | null | undefined,
): { memberId: string; principal: Principal } {
  const p = requireAuthenticated(principal);
  const subject = memberId ?? p.sub;
  return { memberId: subject, principal: assertCanReadMemberPrivate(p, subject) };
}

/** A member's notices: the member themself and the operator; partners never (private). */
export function authorizeNoticesRead(principal: Principal | null, memberId: string): Principal {
  return assertCanReadMemberPrivate(principal, memberId);
}
