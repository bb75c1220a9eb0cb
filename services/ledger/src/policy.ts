import {
  assertCanReadMember,
  assertCanReadMemberPrivate,
  ForbiddenError,
  requireRole,
  type EntityPolicy,
  type Principal,
  type Role,
} from '@loyalty/platform';
import type { LedgerContext } from './context';
import type { EntryRow } from './entries/entry.entity';
import type { AuditFilter } from './ledger/ledger.queries';

/**
 * Who may read and write what in the ledger: the one place resolvers ask. Role gates are
 * declared on the operations (`@Authorized(...LedgerRoles.x)`); object-level checks (whose
 * member, which merchant) are the functions below.
 */
export const LedgerRoles = {
  /** The internal API (credit, hold, capture, release, restore, reverse, extend): other subgraphs. */
  internal: ['service'],
  /** Operator corrections (`adjustPoints`). */
  adjust: ['admin'],
  /** The trail and its CSV: the operator, or a partner for its own merchant (see {@link auditScope}). */
  audit: ['admin', 'partner'],
  /** The invariant check (`ledgerCheck`). */
  check: ['admin'],
  /** `pointsLiability`: the operator, or a partner for its own merchant (see {@link liabilityScope}). */
  liability: ['admin', 'partner'],
} as const satisfies Record<string, readonly Role[]>;

/** Who an entry is attributed to, e.g. `service:campaigns`, `admin:alice`. */
export const actorOf = (p: Principal | null): string => (p ? `${p.role}:${p.sub}`.slice(0, 80) : 'anonymous');

/** Balances and expiring points: the member, partners, admin and services. */
export function assertCanReadBalances(principal: Principal | null, memberId: string): Principal {
  return assertCanReadMember(principal, memberId);
}

/**
 * A member's history: as for balances, but a partner sees only its own merchant's entries.
 * Returns the merchant the history is limited to (null: all).
 */
export function historyScope(principal: Principal | null, memberId: string): { merchantId: string | null } {
  const p = assertCanReadMember(principal, memberId);
  return { merchantId: p.role === 'partner' ? (p.merchantId ?? '-') : null };
}

/** Balance replay (`balanceChanges`) and expiry warnings: the member, admin and services. */
export function assertCanReadPrivate(principal: Principal | null, memberId: string): Principal {
  return assertCanReadMemberPrivate(principal, memberId);
}

/** One entry by reference: its member's readers; a partner only its own merchant's entries. */
export function assertCanReadEntry(principal: Principal | null, entry: EntryRow): Principal {
  const p = assertCanReadMember(principal, entry.memberId);
  if (p.role === 'partner' && entry.merchantId !== p.merchantId) {
    throw new ForbiddenError("A partner may read only its own merchant's entries");
  }
  return p;
}

/** The audit filter a caller may run: a partner's is pinned to its own merchant. */
export function auditScope(principal: Principal | null, filter: AuditFilter | null): AuditFilter {
  const p = requireRole(principal, ...LedgerRoles.audit);
  const f: AuditFilter = { ...(filter ?? {}) };
  if (p.role === 'partner') {
    if (f.merchantId && f.merchantId !== p.merchantId) {
      throw new ForbiddenError('A partner audits only its own merchant');
    }
    f.merchantId = p.merchantId ?? '-';
  }
  return f;
}

/** Who reads which entity through another subgraph's reference. */
export const ledgerEntityPolicy: EntityPolicy<LedgerContext> = {
  LedgerEntry: (ctx, entry: EntryRow) => {
    assertCanReadEntry(ctx.principal, entry);
    return true;
  },
};

/**
 * The issuing merchant a liability report may cover: the operator any merchant or the whole
 * programme (null); a partner only its own merchant (also when it names none).
 */
export function liabilityScope(principal: Principal | null, merchantId: string | null): string | null {
  const p = requireRole(principal, ...LedgerRoles.liability);
  if (p.role !== 'partner') return merchantId;
  if (merchantId && merchantId !== p.merchantId) {
    throw new ForbiddenError("A partner reads only its own merchant's liability");
  }
  return p.merchantId ?? '-';
}
