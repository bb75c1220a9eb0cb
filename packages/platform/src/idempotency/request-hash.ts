import { createHash } from 'node:crypto';

/** Canonical JSON (sorted keys, undefined dropped, dates as ISO) so equal requests serialize equally. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * Fingerprint of an idempotent request: a replay with the same key must carry the same
 * fingerprint, or it is a CONFLICT. Independent of key order and of how the object was built.
 */
export function requestHash(operation: string, params: unknown): string {
  return createHash('sha256')
    .update(`${operation}\n${canonicalJson(params)}`)
    .digest('hex');
}
