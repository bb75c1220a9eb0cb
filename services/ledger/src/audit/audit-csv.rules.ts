import type { EntryRow } from '../entries/entry.entity';

export const CSV_COLUMNS = [
  'createdAt',
  'entryId',
  'memberId',
  'sequence',
  'kind',
  'type',
  'points',
  'balanceAfter',
  'merchantId',
  'campaignId',
  'sourceType',
  'sourceId',
  'holdId',
  'expiresAt',
  'actor',
  'description',
] as const;

/** RFC 4180 field: quoted when it holds a comma, quote or line break; formula-looking text is defused. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The header row, with its line break. */
export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

/** One entry as a CSV record, with its line break (pure). */
export function csvLine(r: EntryRow): string {
  const fields = [
    r.createdAt.toISOString(),
    r.id,
    r.memberId,
    r.sequence,
    r.kind,
    r.type,
    r.points,
    r.balanceAfter,
    r.merchantId,
    r.campaignId,
    r.sourceType,
    r.sourceId,
    r.holdId,
    r.expiresAt ? r.expiresAt.toISOString() : null,
    r.actor,
    r.description,
  ];
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** Entries as CSV with a header row (pure). */
export function toCsv(rows: readonly EntryRow[]): string {
  return csvHeader() + rows.map(csvLine).join('');
}
