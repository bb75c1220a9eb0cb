import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { BadInputError, decodeCursor, encodeCursor, pageSize } from '@loyalty/platform';
import type { LedgerContext } from '../context';
import { entryConnection, type EntryConnection } from '../entries/entry.connection';
import { LedgerEntryConnection } from '../entries/entry.type';
import { auditScope, LedgerRoles } from '../policy';
import { toCsv } from './audit-csv.rules';
import { AUDIT_EXPORT_PATH } from './audit-export.route';
import { LedgerAuditFilter } from './audit.input';
import { LedgerCheckReport } from './check.type';

const MAX_CSV_ROWS = 50_000;

/** The trail for the operator and regulators, and the invariant check. */
@Resolver()
export class AuditResolver {
  @Authorized(...LedgerRoles.audit)
  @Query(() => LedgerEntryConnection, {
    description: 'The trail for the operator and regulators (partners: their own merchant), newest first.',
  })
  async ledgerAudit(
    @Arg('filter', () => LedgerAuditFilter, { nullable: true }) filter: LedgerAuditFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: LedgerContext,
  ): Promise<EntryConnection> {
    const f = auditScope(ctx.principal, filter);
    const size = pageSize(first);
    const cursor = after ? decodeCursor<{ t: number; id: string }>(after, ['t', 'id']) : null;
    const rows = await ctx.app.queries.audit(f, size + 1, cursor);
    return entryConnection(rows, size, (r) => encodeCursor({ t: r.createdAt.getTime(), id: r.id }));
  }

  @Authorized(...LedgerRoles.audit)
  @Query(() => String, {
    description:
      `The audit trail as CSV (RFC 4180), newest first, at most ${MAX_CSV_ROWS} rows. ` +
      `For a trail of any size, download it: \`GET ${AUDIT_EXPORT_PATH}\` on the gateway with the same ` +
      'Authorization header and the filter as query parameters (memberId, merchantId, kind, type, ' +
      'from, to as ISO-8601), e.g. `/exports/audit.csv?merchantId=…&from=2026-01-01T00:00:00Z`; it streams ' +
      'text/csv with a header row.',
  })
  async ledgerAuditCsv(
    @Arg('filter', () => LedgerAuditFilter, { nullable: true }) filter: LedgerAuditFilter | null,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 10_000 }) limit: number,
    @Ctx() ctx: LedgerContext,
  ): Promise<string> {
    const f = auditScope(ctx.principal, filter);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CSV_ROWS)
      throw new BadInputError(`limit must be 1 to ${MAX_CSV_ROWS}`, 'limit');
    return toCsv(await ctx.app.queries.audit(f, limit, null));
  }

  @Authorized(...LedgerRoles.check)
  @Query(() => LedgerCheckReport, {
    description: 'Re-derives every balance, lot and sequence from the trail.',
  })
  async ledgerCheck(@Ctx() ctx: LedgerContext): Promise<LedgerCheckReport> {
    const report = await ctx.app.queries.check();
    return { ...report, ok: report.problems.length === 0 };
  }
}
