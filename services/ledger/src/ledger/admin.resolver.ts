import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import {
  BadInputError,
  decodeCursor,
  ForbiddenError,
  encodeCursor,
  pageSize,
  requireRole,
  toConnection,
} from '@loyalty/platform';
import type { LedgerContext } from '../context';
import type { EntryRow } from '../entries/entry.entity';
import { LedgerEntry, LedgerEntryConnection } from '../entries/entry.type';
import { toCsv } from '../audit/audit-csv.rules';
import { actorOf } from './internal.resolver';
import { AdjustPointsInput, LedgerAuditFilter } from './ledger.input';
import type { AuditFilter } from './ledger.queries';
import { LedgerCheckReport } from './ledger.type';

const MAX_CSV_ROWS = 50_000;

/** A partner audits only its own merchant's entries; the operator everything. */
function scopedFilter(ctx: LedgerContext, filter: LedgerAuditFilter | null): AuditFilter {
  const p = requireRole(ctx.principal, 'admin', 'partner');
  const f: AuditFilter = { ...(filter ?? {}) };
  if (p.role === 'partner') {
    if (f.merchantId && f.merchantId !== p.merchantId) {
      throw new ForbiddenError('A partner audits only its own merchant');
    }
    f.merchantId = p.merchantId ?? '-';
  }
  return f;
}

@Resolver()
export class LedgerAdminResolver {
  @Authorized('admin')
  @Mutation(() => LedgerEntry, {
    description: 'Operator correction (signed), with a reason; idempotent by key.',
  })
  adjustPoints(
    @Arg('input', () => AdjustPointsInput) input: AdjustPointsInput,
    @Ctx() ctx: LedgerContext,
  ): Promise<EntryRow> {
    return ctx.app.ledger.credits.adjust(input, actorOf(ctx.principal));
  }

  @Authorized('admin', 'partner')
  @Query(() => LedgerEntryConnection, {
    description: 'The trail for the operator and regulators (partners: their own merchant), newest first.',
  })
  async ledgerAudit(
    @Arg('filter', () => LedgerAuditFilter, { nullable: true }) filter: LedgerAuditFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: LedgerContext,
  ): Promise<LedgerEntryConnection> {
    const f = scopedFilter(ctx, filter);
    const size = pageSize(first);
    const cursor = after ? decodeCursor<{ t: number; id: string }>(after, ['t', 'id']) : null;
    const rows = await ctx.app.queries.audit(f, size + 1, cursor);
    return toConnection(
      rows,
      size,
      (r) => encodeCursor({ t: r.createdAt.getTime(), id: r.id }),
      (r) => r as never,
    ) as LedgerEntryConnection;
  }

  @Authorized('admin', 'partner')
  @Query(() => String, {
    description: `The audit trail as CSV (RFC 4180), newest first, at most ${MAX_CSV_ROWS} rows.`,
  })
  async ledgerAuditCsv(
    @Arg('filter', () => LedgerAuditFilter, { nullable: true }) filter: LedgerAuditFilter | null,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 10_000 }) limit: number,
    @Ctx() ctx: LedgerContext,
  ): Promise<string> {
    const f = scopedFilter(ctx, filter);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CSV_ROWS)
      throw new BadInputError(`limit must be 1 to ${MAX_CSV_ROWS}`, 'limit');
    return toCsv(await ctx.app.queries.audit(f, limit, null));
  }

  @Authorized('admin')
  @Query(() => LedgerCheckReport, {
    description: 'Re-derives every balance, lot and sequence from the trail.',
  })
  async ledgerCheck(@Ctx() ctx: LedgerContext): Promise<LedgerCheckReport> {
    const report = await ctx.app.queries.check();
    return { ...report, ok: report.problems.length === 0 };
  }
}
