import { alignToKeys, EntityReader, readRows } from '@loyalty/platform';
import { In } from 'typeorm';
import type { Transactor } from '@loyalty/platform';
import { AccountRow } from '../accounts/account.entity';
import { checkLedger, type CheckReport } from '../audit/check.service';
import { EntryRow, type EntryType, type NamedEntryRow } from '../entries/entry.entity';
import { WarningRow } from '../expiry/warning.entity';
import { LotRow } from '../lots/lot.entity';

/** One member's page of entries, as a DataLoader key. */
export interface EntryPageKey {
  memberId: string;
  /** Rows to fetch (page size + 1, to know whether there is more). */
  limit: number;
  /** History: entries before this sequence (newest first). Replay: after it (oldest first). */
  cursor: number | null;
  direction: 'newest' | 'oldest';
  kind: string | null;
  /** Partners see only entries of their own merchant. */
  merchantId: string | null;
}

export interface AuditFilter {
  memberId?: string | null;
  merchantId?: string | null;
  kind?: string | null;
  type?: EntryType | null;
  from?: Date | null;
  to?: Date | null;
}

export interface ExpiringGroup {
  kind: string;
  points: number;
  expiresAt: Date;
}

const groupBy = <T, K>(items: readonly T[], keyOf: (t: T) => K): Map<K, T[]> => {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
};

/** The ledger's reads: batch-shaped (one query per batch of members), for the DataLoaders. */
export class LedgerQueries {
  /**
   * The dashboard's reads (balances, a history page) as plain SQL with the driver's own hydration:
   * the query builder cost the ledger a fifth of its CPU under the dashboard benchmark.
   */
  private readonly accountRows: EntityReader<AccountRow>;
  private readonly entryRows: EntityReader<EntryRow>;

  constructor(private readonly transactor: Transactor) {
    this.accountRows = new EntityReader(transactor, AccountRow);
    this.entryRows = new EntityReader(transactor, EntryRow);
  }

  async accounts(memberIds: readonly string[]): Promise<AccountRow[][]> {
    const rows = await this.accountRows.whereIn('memberId', memberIds);
    const by = groupBy(rows, (r) => r.memberId);
    return memberIds.map((id) => by.get(id) ?? []);
  }

  /** Unspent points expiring within `withinDays`, grouped by kind and expiry, soonest first. */
  async expiring(
    keys: readonly { memberId: string; withinDays: number }[],
    now = new Date(),
  ): Promise<ExpiringGroup[][]> {
    const results = new Map<string, ExpiringGroup[]>();
    for (const [days, group] of groupBy(keys, (k) => k.withinDays)) {
      const rows = await this.transactor.read((m) =>
        m
          .createQueryBuilder(LotRow, 'l')
          .select(['l.memberId', 'l.kind', 'l.remaining', 'l.expiresAt'])
          .where({ memberId: In(group.map((k) => k.memberId)) })
          .andWhere('l.remaining > 0 AND l.expiresAt > :now AND l.expiresAt <= :until', {
            now,
            until: new Date(now.getTime() + days * 86_400_000),
          })
          .getMany(),
      );
      for (const [memberId, lots] of groupBy(rows, (r) => r.memberId)) {
        const sums = new Map<string, ExpiringGroup>();
        for (const lot of lots) {
          const k = `${lot.kind}|${lot.expiresAt!.getTime()}`;
          const g = sums.get(k) ?? { kind: lot.kind, points: 0, expiresAt: lot.expiresAt! };
          g.points += lot.remaining;
          sums.set(k, g);
        }
        results.set(
          `${memberId}|${days}`,
          [...sums.values()].sort(
            (a, b) => a.expiresAt.getTime() - b.expiresAt.getTime() || (a.kind < b.kind ? -1 : 1),
          ),
        );
      }
    }
    return keys.map((k) => results.get(`${k.memberId}|${k.withinDays}`) ?? []);
  }

  /**
   * Pages of entries for many members in two queries: a window function numbers each member's
   * entries (ROW_NUMBER, on MySQL 8/MariaDB 10.2+ and SQLite 3.25+) and joins their merchants'
   * names from the ledger's copy, then the rows are loaded.
   */
  async entryPages(keys: readonly EntryPageKey[]): Promise<NamedEntryRow[][]> {
    const pages = new Map<string, NamedEntryRow[]>();
    const keyOf = (k: EntryPageKey) => JSON.stringify(k);
    const shapes = groupBy(keys, (k) => `${k.limit}|${k.direction}|${k.kind}|${k.merchantId}`);
    for (const group of shapes.values()) {
      const { limit, direction, kind, merchantId } = group[0];
      const params: (string | number)[] = [];
      const members = group
        .map((k) => {
          params.push(k.memberId);
          if (k.cursor === null) return '(`memberId` = ?)';
          params.push(k.cursor);
          return `(\`memberId\` = ? AND \`sequence\` ${direction === 'newest' ? '<' : '>'} ?)`;
        })
        .join(' OR ');
      let filter = `(${members})`;
      if (kind) {
        filter += ' AND `kind` = ?';
        params.push(kind);
      }
      if (merchantId) {
        filter += ' AND `merchantId` = ?';
        params.push(merchantId);
      }
      params.push(limit);
      const order = direction === 'newest' ? 'DESC' : 'ASC';
      // Prepared once per text on SQLite; a batch of many members is a text of its own (one-off).
      const ids = await readRows<{ id: string; name: string | null }>(
        this.transactor,
        `SELECT \`t\`.\`id\`, \`n\`.\`name\` FROM (SELECT \`id\`, \`merchantId\`, ROW_NUMBER() OVER (PARTITION BY \`memberId\` ORDER BY \`sequence\` ${order}) AS \`rn\` FROM \`ledger_entries\` WHERE ${filter}) \`t\` LEFT JOIN \`ledger_merchants\` \`n\` ON \`n\`.\`id\` = \`t\`.\`merchantId\` WHERE \`t\`.\`rn\` <= ?`,
        params,
        { oneOff: group.length > 4 },
      );
      const names = new Map(ids.map((r) => [r.id, r.name]));
      const rows: NamedEntryRow[] = await this.entryRows.whereIn(
        'id',
        ids.map((r) => r.id),
      );
      for (const row of rows) row.merchantName = names.get(row.id) ?? null;
      const byMember = groupBy(rows, (r) => r.memberId);
      for (const k of group) {
        const list = (byMember.get(k.memberId) ?? []).sort((a, b) =>
          direction === 'newest' ? b.sequence - a.sequence : a.sequence - b.sequence,
        );
        pages.set(keyOf(k), list);
      }
    }
    return keys.map((k) => pages.get(keyOf(k)) ?? []);
  }

  /** Expiry warnings sent to members, newest first: at most `first` per member, one query per page size. */
  async warnings(keys: readonly { memberId: string; first: number }[]): Promise<WarningRow[][]> {
    const result = new Map<string, WarningRow[]>();
    for (const [first, group] of groupBy(keys, (k) => k.first)) {
      const memberIds = [...new Set(group.map((k) => k.memberId))];
      const ids = (await this.transactor.read((m) =>
        m.query(
          `SELECT \`id\` FROM (SELECT \`id\`, ROW_NUMBER() OVER (PARTITION BY \`memberId\` ORDER BY \`createdAt\` DESC, \`id\` ASC) AS \`rn\` FROM \`ledger_expiry_warnings\` WHERE \`status\` = ? AND \`memberId\` IN (${memberIds.map(() => '?').join(', ')})) \`t\` WHERE \`rn\` <= ?`,
          ['SENT', ...memberIds, first],
        ),
      )) as { id: string }[];
      const rows = ids.length
        ? await this.transactor.read((m) =>
            m.find(WarningRow, {
              where: { id: In(ids.map((r) => r.id)) },
              order: { createdAt: 'DESC', id: 'ASC' },
            }),
          )
        : [];
      const by = groupBy(rows, (r) => r.memberId);
      for (const id of memberIds) result.set(`${id}|${first}`, by.get(id) ?? []);
    }
    return keys.map((k) => result.get(`${k.memberId}|${k.first}`) ?? []);
  }

  async entriesByIds(ids: readonly string[]): Promise<(EntryRow | null)[]> {
    const rows = await this.transactor.read((m) => m.findBy(EntryRow, { id: In([...ids]) }));
    return alignToKeys(ids, rows, (r) => r.id);
  }

  /** Entries for the operator/regulator: filtered, newest first, keyset-paginated. */
  async audit(
    filter: AuditFilter,
    limit: number,
    after: { t: number; id: string } | null,
  ): Promise<EntryRow[]> {
    return this.transactor.read((m) => {
      const qb = m.createQueryBuilder(EntryRow, 'e');
      if (filter.memberId) qb.andWhere('e.memberId = :memberId', { memberId: filter.memberId });
      if (filter.merchantId) qb.andWhere('e.merchantId = :merchantId', { merchantId: filter.merchantId });
      if (filter.kind) qb.andWhere('e.kind = :kind', { kind: filter.kind });
      if (filter.type) qb.andWhere('e.type = :type', { type: filter.type });
      if (filter.from) qb.andWhere('e.createdAt >= :from', { from: filter.from });
      if (filter.to) qb.andWhere('e.createdAt < :to', { to: filter.to });
      if (after) {
        qb.andWhere('(e.createdAt < :at OR (e.createdAt = :at AND e.id > :afterId))', {
          at: new Date(after.t),
          afterId: after.id,
        });
      }
      return qb.orderBy('e.createdAt', 'DESC').addOrderBy('e.id', 'ASC').limit(limit).getMany();
    });
  }

  /**
   * Re-derives everything the ledger caches and reports each mismatch: account balances against
   * the sum of entries, balances against the sum of lot remainders, each lot's remainder against
   * its moves, negative values, and each member's sequence (1…n without gaps).
   */
  async check(): Promise<CheckReport> {
    return this.transactor.read((m) => checkLedger(m));
  }
}
