/** The audit download's query parameters, checked (pure, no I/O). */
import { BadInputError } from '@loyalty/platform';
import { EntryType } from '../entries/entry.entity';
import { assertKind, assertOptionalId } from '../ledger/ledger.rules';
import type { AuditFilter } from '../ledger/ledger.queries';

/** The parameters `GET /exports/audit.csv` understands: the `LedgerAuditFilter` fields. */
export const AUDIT_EXPORT_PARAMS = ['memberId', 'merchantId', 'kind', 'type', 'from', 'to'] as const;

const TYPES = new Set<string>(Object.values(EntryType));

function time(value: string | null, field: string): Date | null {
  if (value === null || value === '') return null;
  const t = new Date(value);
  if (Number.isNaN(t.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value))
    throw new BadInputError(`${field} must be an ISO-8601 time`, field);
  return t;
}

/**
 * The filter of an audit download: ids, a point kind, an entry type, `from` (inclusive) and `to`
 * (exclusive) as ISO-8601 times. Unknown or repeated parameters are BAD_USER_INPUT, so that a
 * misspelt filter never silently exports everything.
 */
export function parseAuditParams(params: URLSearchParams): AuditFilter {
  const known = new Set<string>(AUDIT_EXPORT_PARAMS);
  for (const key of new Set(params.keys())) {
    if (!known.has(key)) throw new BadInputError(`Unknown parameter ${key}`, key);
    if (params.getAll(key).length > 1) throw new BadInputError(`Parameter ${key} given twice`, key);
  }
  const kind = params.get('kind');
  const type = params.get('type');
  if (type !== null && !TYPES.has(type)) throw new BadInputError(`Unknown entry type ${type}`, 'type');
  const from = time(params.get('from'), 'from');
  const to = time(params.get('to'), 'to');
  if (from && to && from.getTime() > to.getTime())
    throw new BadInputError('from must not be after to', 'from');
  return {
    memberId: assertOptionalId(params.get('memberId'), 'memberId'),
    merchantId: assertOptionalId(params.get('merchantId'), 'merchantId'),
    kind: kind === null ? null : assertKind(kind),
    type: type === null ? null : (type as EntryType),
    from,
    to,
  };
}
