import type { EntityManager } from 'typeorm';
import { AccountRow, MemberStreamRow } from '../accounts/account.entity';
import { EntryRow } from '../entries/entry.entity';
import { LotRow } from '../lots/lot.entity';

export interface CheckReport {
  accountsChecked: number;
  membersChecked: number;
  lotsChecked: number;
  problems: string[];
}

/**
 * Re-derives everything the ledger caches and reports each mismatch: account balances against
 * the sum of entries, balances against the sum of lot remainders, each lot's remainder against
 * its moves, negative values, and each member's sequence (1…n without gaps).
 */
export async function checkLedger(m: EntityManager): Promise<CheckReport> {
  const problems: string[] = [];
  const num = (v: unknown) => Number(v ?? 0);
  const accounts = await m.find(AccountRow);
  const sums = await m
    .createQueryBuilder(EntryRow, 'e')
    .select('e.memberId', 'memberId')
    .addSelect('e.kind', 'kind')
    .addSelect('SUM(e.points)', 'total')
    .groupBy('e.memberId')
    .addGroupBy('e.kind')
    .getRawMany<{ memberId: string; kind: string; total: unknown }>();
  const lotSums = await m
    .createQueryBuilder(LotRow, 'l')
    .select('l.memberId', 'memberId')
    .addSelect('l.kind', 'kind')
    .addSelect('SUM(l.remaining)', 'total')
    .groupBy('l.memberId')
    .addGroupBy('l.kind')
    .getRawMany<{ memberId: string; kind: string; total: unknown }>();
  const entryTotals = new Map(sums.map((s) => [`${s.memberId}|${s.kind}`, num(s.total)]));
  const lotTotals = new Map(lotSums.map((s) => [`${s.memberId}|${s.kind}`, num(s.total)]));
  const accountKeys = new Set(accounts.map((a) => `${a.memberId}|${a.kind}`));
  for (const a of accounts) {
    const k = `${a.memberId}|${a.kind}`;
    const derived = entryTotals.get(k) ?? 0;
    if (derived !== a.balance) problems.push(`account ${k}: balance ${a.balance}, entries sum to ${derived}`);
    const inLots = lotTotals.get(k) ?? 0;
    if (inLots !== a.balance) problems.push(`account ${k}: balance ${a.balance}, lots hold ${inLots}`);
    if (a.balance < 0) problems.push(`account ${k}: negative balance ${a.balance}`);
  }
  for (const k of entryTotals.keys())
    if (!accountKeys.has(k)) problems.push(`entries of ${k} without an account`);
  // Lots are checked in SQL (a ledger may hold millions): only the bad ones come back.
  const lotCount = await m.count(LotRow);
  const badLots = await m.query(
    'SELECT `l`.`id` AS `id`, `l`.`points` AS `points`, `l`.`remaining` AS `remaining`, COALESCE(`x`.`moved`, 0) AS `moved` ' +
      'FROM `ledger_lots` `l` LEFT JOIN (SELECT `lotId`, SUM(`points`) AS `moved` FROM `ledger_lot_moves` GROUP BY `lotId`) `x` ON `x`.`lotId` = `l`.`id` ' +
      'WHERE `l`.`points` + COALESCE(`x`.`moved`, 0) <> `l`.`remaining` OR `l`.`remaining` < 0 OR `l`.`remaining` > `l`.`points` LIMIT 1000',
  );
  for (const lot of badLots as { id: string; points: unknown; remaining: unknown; moved: unknown }[]) {
    problems.push(
      `lot ${lot.id}: remaining ${num(lot.remaining)} of ${num(lot.points)}, moves give ${num(lot.points) + num(lot.moved)}`,
    );
  }
  const streams = await m.find(MemberStreamRow);
  const seqs = await m
    .createQueryBuilder(EntryRow, 'e')
    .select('e.memberId', 'memberId')
    .addSelect('COUNT(*)', 'n')
    .addSelect('MIN(e.sequence)', 'lo')
    .addSelect('MAX(e.sequence)', 'hi')
    .groupBy('e.memberId')
    .getRawMany<{ memberId: string; n: unknown; lo: unknown; hi: unknown }>();
  const bySeq = new Map(seqs.map((s) => [s.memberId, s]));
  for (const s of streams) {
    const x = bySeq.get(s.memberId);
    const n = num(x?.n);
    if (n !== s.lastSequence || (n > 0 && (num(x?.lo) !== 1 || num(x?.hi) !== n))) {
      problems.push(
        `member ${s.memberId}: ${n} entries, sequences ${num(x?.lo)}…${num(x?.hi)}, stream at ${s.lastSequence}`,
      );
    }
  }
  return {
    accountsChecked: accounts.length,
    membersChecked: streams.length,
    lotsChecked: lotCount,
    problems,
  };
}
