/**
 * The statements of one expiry batch (see {@link ExpiryService}). Every step reads the batch's
 * staged write-offs, a temporary table filled once per batch by the window functions, so no step
 * re-finds the new entries among the members' whole history.
 */

const list = (n: number) => Array(n).fill('?').join(', ');

/** A v4-shaped UUID per row, computed by the database (MySQL has UUID(); SQLite builds one). */
const uuid = (mysql: boolean) =>
  mysql
    ? 'UUID()'
    : "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";

/** The batch's staged write-offs: one row per due lot of the claimed members, for this transaction only. */
export const STAGE = '`expiry_batch`';

/** A stage left by an earlier attempt on this connection (MySQL keeps temporary tables past a rollback). */
export const dropStage = (mysql: boolean) =>
  mysql ? `DROP TEMPORARY TABLE IF EXISTS ${STAGE}` : `DROP TABLE IF EXISTS temp.${STAGE}`;

/**
 * One write-off per due lot of the claimed members (`?` list of n members, then the time), for
 * exactly its remaining points, numbered on from the member's last sequence in expiry order (then
 * lot id), with the running balance of its kind: the window functions do what a loop over the
 * lots would (MySQL 8 / MariaDB 10.2+, SQLite 3.25+). Parameters: the members, the time.
 */
export const stage = (n: number, mysql: boolean) =>
  `CREATE TEMPORARY TABLE ${STAGE} AS ` +
  `SELECT ${uuid(mysql)} AS \`id\`, l.\`memberId\`, ` +
  's.`lastSequence` + ROW_NUMBER() OVER (PARTITION BY l.`memberId` ORDER BY l.`expiresAt`, l.`id`) AS `sequence`, ' +
  'l.`kind`, -l.`remaining` AS `points`, ' +
  'a.`balance` - SUM(l.`remaining`) OVER (PARTITION BY l.`memberId`, l.`kind` ORDER BY l.`expiresAt`, l.`id` ROWS UNBOUNDED PRECEDING) AS `balanceAfter`, ' +
  'l.`merchantId`, l.`id` AS `lotId`, l.`expiresAt` ' +
  'FROM `ledger_lots` l JOIN `ledger_members` s ON s.`memberId` = l.`memberId` ' +
  'JOIN `ledger_accounts` a ON a.`memberId` = l.`memberId` AND a.`kind` = l.`kind` ' +
  `WHERE l.\`memberId\` IN (${list(n)}) AND l.\`expiresAt\` <= ? AND l.\`remaining\` > 0`;

/** How many write-offs are staged, and how many would leave a balance below zero. */
export const STAGED = `SELECT COUNT(*) AS \`n\`, COALESCE(SUM(CASE WHEN \`balanceAfter\` < 0 THEN 1 ELSE 0 END), 0) AS \`below\` FROM ${STAGE}`;

/** Parameters: type, description, time. */
export const INSERT_ENTRIES =
  'INSERT INTO `ledger_entries` (`id`, `memberId`, `sequence`, `kind`, `type`, `points`, `balanceAfter`, `description`, `merchantId`, `lotId`, `expiresAt`, `actor`, `createdAt`) ' +
  "SELECT `id`, `memberId`, `sequence`, `kind`, ?, `points`, `balanceAfter`, ?, `merchantId`, `lotId`, `expiresAt`, 'system:expiry', ? " +
  `FROM ${STAGE}`;

/** With what the liability report groups by: the issuing merchant (the lot's), kind, type, time. Parameters: type, time. */
export const INSERT_MOVES =
  'INSERT INTO `ledger_lot_moves` (`entryId`, `lotId`, `points`, `merchantId`, `kind`, `entryType`, `createdAt`) ' +
  `SELECT \`id\`, \`lotId\`, \`points\`, \`merchantId\`, \`kind\`, ?, ? FROM ${STAGE}`;

/**
 * `balance.changed` for every new entry, in member and sequence order (payload as
 * `balanceChangedEvent`). Parameters: topic, type, time as ISO text, time.
 */
export const insertEvents = (mysql: boolean) =>
  'INSERT INTO `outbox_events` (`eventId`, `topic`, `eventKey`, `payload`, `occurredAt`, `publishedAt`) ' +
  `SELECT ${uuid(mysql)}, ?, \`memberId\`, ` +
  `${mysql ? 'JSON_OBJECT' : 'json_object'}('memberId', \`memberId\`, 'kind', \`kind\`, 'delta', \`points\`, 'balance', \`balanceAfter\`, 'entryId', \`id\`, 'entryType', ?, 'sequence', \`sequence\`, 'createdAt', ?), ?, NULL ` +
  `FROM ${STAGE} ORDER BY \`memberId\`, \`sequence\``;

/** Per account, the sum of its write-offs (negative). */
const SUMS = `SELECT \`memberId\`, \`kind\`, SUM(\`points\`) AS \`delta\` FROM ${STAGE} GROUP BY \`memberId\`, \`kind\``;
/** Per member, the last sequence written. */
const LAST = `SELECT \`memberId\`, MAX(\`sequence\`) AS \`last\` FROM ${STAGE} GROUP BY \`memberId\``;

/** Parameters: the time. */
export const updateAccounts = (mysql: boolean) =>
  mysql
    ? `UPDATE \`ledger_accounts\` a JOIN (${SUMS}) d ON d.\`memberId\` = a.\`memberId\` AND d.\`kind\` = a.\`kind\` SET a.\`balance\` = a.\`balance\` + d.\`delta\`, a.\`updatedAt\` = ?`
    : `UPDATE \`ledger_accounts\` SET \`balance\` = \`balance\` + d.\`delta\`, \`updatedAt\` = ? FROM (${SUMS}) d WHERE d.\`memberId\` = \`ledger_accounts\`.\`memberId\` AND d.\`kind\` = \`ledger_accounts\`.\`kind\``;

export const updateSequences = (mysql: boolean) =>
  mysql
    ? `UPDATE \`ledger_members\` s JOIN (${LAST}) d ON d.\`memberId\` = s.\`memberId\` SET s.\`lastSequence\` = d.\`last\``
    : `UPDATE \`ledger_members\` SET \`lastSequence\` = d.\`last\` FROM (${LAST}) d WHERE d.\`memberId\` = \`ledger_members\`.\`memberId\``;

export const updateLots = (mysql: boolean) =>
  mysql
    ? `UPDATE \`ledger_lots\` l JOIN ${STAGE} x ON x.\`lotId\` = l.\`id\` SET l.\`remaining\` = 0`
    : `UPDATE \`ledger_lots\` SET \`remaining\` = 0 WHERE \`id\` IN (SELECT \`lotId\` FROM ${STAGE})`;

/**
 * Members with lots due (`LIMIT` members), from the index of lots with points left only
 * (`ix_lots_due`, migration DueLots): the lots already written off are not in its range, so the
 * search does not grow with the expiry history. Then the claim of those not busy (`?` list of n).
 */
export const candidates = (limit: number, mysql: boolean) =>
  `SELECT DISTINCT \`memberId\` FROM \`ledger_lots\` ${mysql ? 'FORCE INDEX (`ix_lots_due`) ' : 'INDEXED BY `ix_lots_due` '}` +
  `WHERE ${mysql ? '`dueAt` <= ?' : '`expiresAt` <= ? AND `remaining` > 0'} LIMIT ${Math.trunc(limit)}`;
export const claim = (n: number, mysql: boolean) =>
  `SELECT \`memberId\` FROM \`ledger_members\` WHERE \`memberId\` IN (${list(n)}) ORDER BY \`memberId\`${mysql ? ' FOR UPDATE SKIP LOCKED' : ''}`;

/**
 * Expiry warnings for one lead: lots with points left expiring after `now` and by the cutoff
 * (`?`, `?`), with no warning for (lot, lead `?`, expiry) yet, soonest first. Searched in
 * `ix_lots_due` like {@link candidates} (`ix_lots_expires`, all lots by expiry, is gone: migration
 * DropLotsExpires). On MariaDB through `dueAt`, equal to `expiresAt` on the lots with points left,
 * so the same lots in the same order; forced because the optimizer, counting index entries of
 * lots just spent (delete-marked, not yet purged) as in range, would scan and sort a small table.
 */
export const warnable = (limit: number, mysql: boolean) =>
  'SELECT l.`id`, l.`memberId`, l.`kind`, l.`remaining`, l.`earnedAt`, l.`expiresAt`, l.`merchantId` ' +
  `FROM \`ledger_lots\` l ${mysql ? 'FORCE INDEX (`ix_lots_due`) ' : 'INDEXED BY `ix_lots_due` '}` +
  `WHERE ${mysql ? 'l.`dueAt` > ? AND l.`dueAt` <= ?' : 'l.`expiresAt` > ? AND l.`expiresAt` <= ? AND l.`remaining` > 0'} ` +
  'AND NOT EXISTS (SELECT 1 FROM `ledger_expiry_warnings` w WHERE w.`lotId` = l.`id` AND w.`lead` = ? AND w.`expiresAt` = l.`expiresAt`) ' +
  `ORDER BY ${mysql ? 'l.`dueAt`' : 'l.`expiresAt`'} LIMIT ${Math.trunc(limit)}`;
