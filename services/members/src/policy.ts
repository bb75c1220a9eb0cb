import {
  PUBLIC_ENTITY,
  assertCanReadMember,
  assertCanReadMemberPrivate,
  ForbiddenError,
  isPrivileged,
  requireAuthenticated,
  requireRole,
  type EntityPolicy,
  type FieldReadCheck,
  type Principal,
} from '@loyalty/platform';
import type { MembersContext } from './context';
import type { MemberRow } from './members/member.entity';

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

/**
 * What a member sees of another member whom a relationship brings them together with (the inviter
 * or invitee of their referral, reached through that service's reference): the name, nothing else.
 */
export const FIELDS_OF_OTHER_MEMBERS: ReadonlySet<string> = new Set(['id', 'displayName']);

const isOtherMember = (principal: Principal | null, memberId: string) =>
  principal?.role === 'member' && principal.sub !== memberId;

/**
 * Who reads which entity through another subgraph's reference (`_entities`, which only the
 * gateway reaches): a member themself, or another member in part ({@link membersFieldPolicy});
 * partners any member (contact data masked), operators and services all; the merchant directory
 * is public. `member(id)` asks {@link authorizeMemberRead}, which refuses other members outright.
 */
export const membersEntityPolicy: EntityPolicy<MembersContext> = {
  Member: (ctx, member: Pick<MemberRow, 'id'>) => {
    if (!isOtherMember(ctx.principal, member.id)) authorizeMemberRead(ctx.principal, member.id);
    return true;
  },
  Merchant: PUBLIC_ENTITY,
};

/** Field by field: another member's name only (tier, contact data, spend, consent are refused). */
export const membersFieldPolicy: Record<string, FieldReadCheck<MembersContext>> = {
  Member: (ctx, member: Pick<MemberRow, 'id'>, field) => {
    if (isOtherMember(ctx.principal, member.id) && !FIELDS_OF_OTHER_MEMBERS.has(field)) {
      throw new ForbiddenError(`A member may see only the name of another member, not ${field}`);
    }
  },
};

/**
 * Contact data in full for the member themself and the operator; masked for everyone else. A
 * member granted to this request (`granted`: just signed up or signed in by its caller) is the
 * caller themself.
 */
export function seesContactOf(
  principal: Principal | null,
  memberId: string,
  granted?: ReadonlyMap<string, string>,
): boolean {
  if (granted?.has(memberId)) return true;
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

/**
 * `issueMemberCode`: a member for themself only (the code is their consent at a till); partners,
 * the operator and services never hold one.
 */
export function requireMemberCodeHolder(principal: Principal | null): Principal {
  return requireRole(principal, 'member');
}

/** Consuming a member code: the catalog (a service token) on a partner's redemption. */
export function requireMemberCodeConsumer(principal: Principal | null): Principal {
  return requireRole(principal, 'service');
}

/**
 * A merchant's integration (API keys, webhook endpoints): the operator, or a partner for its own
 * merchant; anyone else FORBIDDEN, anonymous callers UNAUTHENTICATED.
 */
export function authorizeMerchantIntegration(principal: Principal | null, merchantId: string): Principal {
  const p = requireAuthenticated(principal);
  if (p.role === 'admin' || (p.role === 'partner' && p.merchantId === merchantId)) return p;
  throw new ForbiddenError('Only the operator or this merchant’s partner may manage its integration');
}

/** Who did something, for the trail: `admin:<sub>`, `partner:<merchantId>` or `apikey:<keyId>`. */
export function actorOf(principal: Principal): string {
  if (principal.role === 'partner')
    return principal.apiKeyId ? `apikey:${principal.apiKeyId}` : `partner:${principal.merchantId}`;
  return `${principal.role}:${principal.sub}`;
}

/** A member's notices: the member themself and the operator; partners never (private). */
export function authorizeNoticesRead(principal: Principal | null, memberId: string): Principal {
  return assertCanReadMemberPrivate(principal, memberId);
}
