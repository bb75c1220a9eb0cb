import { Topics, type Sql, type Transactor } from '@loyalty/platform';
import { EntryType } from '../entries/entry.entity';
import { EXPIRED_DESCRIPTION } from '../ledger/posting';

const list = (n: number) => Array(n).fill('?').join(', ');

/** A v4-shaped UUID per row, computed by the database (MySQL has UUID(); SQLite builds one). */
const uuid = (mysql: boolean) =>
  mysql
    ? 'UUID()'
    : "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";

/** Due lots of the claimed members (`?` list of n members, then the time). */
const due = (n: number, alias = '') =>
  `${alias}\`memberId\` IN (${list(n)}) AND ${alias}\`expiresAt\` <= ? AND ${alias}\`remaining\` > 0`;

/**
 * One EXPIRE entry per due lot, for exactly its remaining points, numbered on from the member's
 * last sequence in expiry order (then lot id), with the running balance of its kind: the window
 * functions do what a loop over the lots would (MySQL 8 / MariaDB 10.2+, SQLite 3.25+).
 */
const insertEntries = (n: number, mysql: boolean) =>
  'INSERT INTO `ledger_entries` (`id`, `memberId`, `sequence`, `kind`, `type`, `points`, `balanceAfter`, `description`, `merchantId`, `lotId`, `expiresAt`, `actor`, `createdAt`) ' +
  `SELECT ${uuid(mysql)}, l.\`memberId\`, ` +
  's.`lastSequence` + ROW_NUMBER() OVER (PARTITION BY l.`memberId` ORDER BY l.`expiresAt`, l.`id`), ' +
  'l.`kind`, ?, -l.`remaining`, ' +
  'a.`balance` - SUM(l.`remaining`) OVER (PARTITION BY l.`memberId`, l.`kind` ORDER BY l.`expiresAt`, l.`id` ROWS UNBOUNDED PRECEDING), ' +
  "?, l.`merchantId`, l.`id`, l.`expiresAt`, 'system:expiry', ? " +
  'FROM `ledger_lots` l JOIN `ledger_members` s ON s.`memberId` = l.`memberId` ' +
  'JOIN `ledger_accounts` a ON a.`memberId` = l.`memberId` AND a.`kind` = l.`kind` ' +
  `WHERE ${due(n, 'l.')}`;

/** The entries just written: the claimed members' entries after their (not yet moved) last sequence. */
const NEW_ENTRIES = (n: number) =>
  'FROM `ledger_entries` e JOIN `ledger_members` s ON s.`memberId` = e.`memberId` ' +
  `WHERE e.\`memberId\` IN (${list(n)}) AND e.\`sequence\` > s.\`lastSequence\``;

const insertMoves = (n: number) =>
  // With what the liability report groups by: the issuing merchant (the lot's), kind, type, time.
  'INSERT INTO `ledger_lot_moves` (`entryId`, `lotId`, `points`, `merchantId`, `kind`, `entryType`, `createdAt`) ' +
  'SELECT e.`id`, e.`lotId`, e.`points`, e.`merchantId`, e.`kind`, e.`type`, e.`createdAt` ' +
  NEW_ENTRIES(n);

/** `balance.changed` for every new entry, in member and sequence order (payload as `balanceChangedEvent`). */
const insertEvents = (n: number, mysql: boolean) =>
  'INSERT INTO `outbox_events` (`eventId`, `topic`, `eventKey`, `payload`, `occurredAt`, `publishedAt`) ' +
  `SELECT ${uuid(mysql)}, ?, e.\`memberId\`, ` +
  `${mysql ? 'JSON_OBJECT' : 'json_object'}('memberId', e.\`memberId\`, 'kind', e.\`kind\`, 'delta', e.\`points\`, 'balance', e.\`balanceAfter\`, 'entryId', e.\`id\`, 'entryType', e.\`type\`, 'sequence', e.\`sequence\`, 'createdAt', ?), ?, NULL ` +
  `${NEW_ENTRIES(n)} ORDER BY e.\`memberId\`, e.\`sequence\``;

const negative = (n: number) => `SELECT COUNT(*) AS \`n\` ${NEW_ENTRIES(n)} AND e.\`balanceAfter\` < 0`;

/** Per member and kind, what the due lots hold (and how many they are, per member). */
const sums = (n: number) =>
  `SELECT \`memberId\`, \`kind\`, SUM(\`remaining\`) AS \`total\`, COUNT(*) AS \`lots\` FROM \`ledger_lots\` WHERE ${due(n)} GROUP BY \`memberId\`, \`kind\``;
const counts = (n: number) =>
  `SELECT \`memberId\`, COUNT(*) AS \`lots\` FROM \`ledger_lots\` WHERE ${due(n)} GROUP BY \`memberId\``;

const updateAccounts = (n: number, mysql: boolean) =>
  mysql
    ? `UPDATE \`ledger_accounts\` a JOIN (${sums(n)}) d ON d.\`memberId\` = a.\`memberId\` AND d.\`kind\` = a.\`kind\` SET a.\`balance\` = a.\`balance\` - d.\`total\`, a.\`updatedAt\` = ?`
    : `UPDATE \`ledger_accounts\` SET \`balance\` = \`balance\` - d.\`total\`, \`updatedAt\` = ? FROM (${sums(n)}) d WHERE d.\`memberId\` = \`ledger_accounts\`.\`memberId\` AND d.\`kind\` = \`ledger_accounts\`.\`kind\``;

const updateSequences = (n: number, mysql: boolean) =>
  mysql
    ? `UPDATE \`ledger_members\` s JOIN (${counts(n)}) d ON d.\`memberId\` = s.\`memberId\` SET s.\`lastSequence\` = s.\`lastSequence\` + d.\`lots\``
    : `UPDATE \`ledger_members\` SET \`lastSequence\` = \`lastSequence\` + d.\`lots\` FROM (${counts(n)}) d WHERE d.\`memberId\` = \`ledger_members\`.\`memberId\``;

const updateLots = (n: number) => `UPDATE \`ledger_lots\` SET \`remaining\` = 0 WHERE ${due(n)}`;

/**
 * Writes off due lots, set-based in SQL: a batch of members per transaction (claimed with
 * `FOR UPDATE SKIP LOCKED` on MySQL, so replicas split the work and a member busy with a write
 * waits for the next round), then a fixed handful of statements whatever the number of lots:
 * the EXPIRE entries by INSERT … SELECT with window functions for sequence and running balance,
 * their lot moves, their `balance.changed` events, the balances, the sequences and the lots.
 */
export class ExpiryService {
  constructor(
    private readonly transactor: Transactor,
    /** Members whose due lots one transaction writes off. */
    private readonly memberBatch = 1000,
  ) {}

  /** Writes off every lot due at `now`, a batch of members per transaction. */
  async expireDue(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const { claimed, expired } = await this.expireBatch(now);
      total += expired;
      if (claimed === 0) return total;
    }
  }

  private async expireBatch(now: Date): Promise<{ claimed: number; expired: number }> {
    // READ COMMITTED: the INSERT … SELECTs then take no shared locks on the lots they read (the
    // claimed members' rows are locked already, and no one else writes their lots).
    return this.transactor.run(
      async (uow) => {
        const { sql } = uow;
        const mysql = sql.kind === 'mysql';
        const candidates = await sql.rows<{ memberId: string }>(
          `SELECT DISTINCT \`memberId\` FROM \`ledger_lots\` WHERE \`expiresAt\` <= ? AND \`remaining\` > 0 LIMIT ${Math.trunc(this.memberBatch)}`,
          [now],
        );
        if (candidates.length === 0) return { claimed: 0, expired: 0 };
        const claimed = await sql.rows<{ memberId: string }>(
          `SELECT \`memberId\` FROM \`ledger_members\` WHERE \`memberId\` IN (${list(candidates.length)}) ORDER BY \`memberId\`${mysql ? ' FOR UPDATE SKIP LOCKED' : ''}`,
          candidates.map((c) => c.memberId),
          { oneOff: true },
        );
        if (claimed.length === 0) return { claimed: 0, expired: 0 };
        const members = claimed.map((c) => c.memberId);
        const expired = await this.writeOff(sql, members, now);
        if (expired > 0) uow.afterCommit(() => this.transactor.eventsCommitted());
        return { claimed: members.length, expired };
      },
      { isolation: 'READ COMMITTED' },
    );
  }

  private async writeOff(sql: Sql, members: string[], now: Date): Promise<number> {
    const n = members.length;
    const mysql = sql.kind === 'mysql';
    const oneOff = { oneOff: true };
    const expired = await sql.run(
      insertEntries(n, mysql),
      [EntryType.EXPIRE, EXPIRED_DESCRIPTION, now, ...members, now],
      oneOff,
    );
    if (expired === 0) return 0;
    const [{ n: below }] = await sql.rows<{ n: number }>(negative(n), members, oneOff);
    if (Number(below) > 0)
      throw new Error('expiring lots would take a balance below zero: ledger inconsistent');
    await sql.run(insertMoves(n), members, oneOff);
    await sql.run(
      insertEvents(n, mysql),
      [Topics.balanceChanged, now.toISOString(), now, ...members],
      oneOff,
    );
    await sql.run(updateAccounts(n, mysql), mysql ? [...members, now, now] : [now, ...members, now], oneOff);
    await sql.run(updateSequences(n, mysql), [...members, now], oneOff);
    const lots = await sql.run(updateLots(n), [...members, now], oneOff);
    if (lots !== expired) throw new Error(`expiry batch changed ${lots} lots for ${expired} entries`);
    return expired;
  }
}
