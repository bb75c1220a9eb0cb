import type { Transactor } from '@loyalty/platform';
import { EntryRow } from '../entries/entry.entity';
import type { AuditFilter } from '../ledger/ledger.queries';

/** Where the previous page of a download ended (newest first: createdAt descending, then id). */
export interface AuditPosition {
  t: number;
  id: string;
}

/**
 * Pages of the audit trail for downloads of any length. The position is a range bound
 * (`createdAt <= t`) that the createdAt indexes (`ix_entries_created`, `ix_entries_merchant`) can
 * seek to, with the tie-break on id as a residual filter; so each page costs its own rows, not
 * a scan of everything newer than it.
 */
export class AuditQueries {
  constructor(private readonly transactor: Transactor) {}

  async page(filter: AuditFilter, limit: number, after: AuditPosition | null): Promise<EntryRow[]> {
    return this.transactor.read((m) => {
      const qb = m.createQueryBuilder(EntryRow, 'e');
      if (filter.memberId) qb.andWhere('e.memberId = :memberId', { memberId: filter.memberId });
      if (filter.merchantId) qb.andWhere('e.merchantId = :merchantId', { merchantId: filter.merchantId });
      if (filter.kind) qb.andWhere('e.kind = :kind', { kind: filter.kind });
      if (filter.type) qb.andWhere('e.type = :type', { type: filter.type });
      if (filter.from) qb.andWhere('e.createdAt >= :from', { from: filter.from });
      if (filter.to) qb.andWhere('e.createdAt < :to', { to: filter.to });
      if (after) {
        const at = new Date(after.t);
        qb.andWhere('e.createdAt <= :at', { at });
        qb.andWhere('(e.createdAt < :at OR e.id > :afterId)', { at, afterId: after.id });
      }
      return qb.orderBy('e.createdAt', 'DESC').addOrderBy('e.id', 'ASC').limit(limit).getMany();
    });
  }
}
