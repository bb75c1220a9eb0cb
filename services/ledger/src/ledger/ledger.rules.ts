import { BadInputError, parseDuration, PointKind } from '@loyalty/platform';

/** GraphQL `Int` is 32-bit: no amount or balance may exceed this. */
export const MAX_POINTS = 2_147_483_647;

/** A positive whole number of points that fits a GraphQL Int. */
export function assertPoints(points: unknown, field = 'points'): number {
  if (typeof points !== 'number' || !Number.isInteger(points) || points <= 0 || points > MAX_POINTS) {
    throw new BadInputError(`${field} must be a whole number between 1 and ${MAX_POINTS}`, field);
  }
  return points;
}

/** A non-zero signed whole number of points (adjustments). */
export function assertSignedPoints(points: unknown, field = 'points'): number {
  if (
    typeof points !== 'number' ||
    !Number.isInteger(points) ||
    points === 0 ||
    Math.abs(points) > MAX_POINTS
  ) {
    throw new BadInputError(
      `${field} must be a non-zero whole number of at most ${MAX_POINTS} in size`,
      field,
    );
  }
  return points;
}

const KINDS = new Set<string>(Object.values(PointKind));

export function assertKind(kind: unknown, field = 'kind'): PointKind {
  if (typeof kind !== 'string' || !KINDS.has(kind))
    throw new BadInputError(`Unknown point kind ${String(kind)}`, field);
  return kind as PointKind;
}

export function assertText(value: unknown, field: string, max = 500): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) throw new BadInputError(`${field} is required`, field);
  if (text.length > max) throw new BadInputError(`${field} must be at most ${max} characters`, field);
  return text;
}

export function assertOptionalText(value: unknown, field: string, max: number): string | null {
  if (value === null || value === undefined || value === '') return null;
  return assertText(value, field, max);
}

const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,36}$/;

export function assertId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value))
    throw new BadInputError(`${field} is not a valid id`, field);
  return value;
}

export function assertOptionalId(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null;
  return assertId(value, field);
}

export function assertIdempotencyKey(value: unknown): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 160) {
    throw new BadInputError('idempotencyKey must be 1 to 160 characters', 'idempotencyKey');
  }
  return value;
}

/** `NEVER`, an ISO-8601 duration, or the default (the configured POINTS_VALIDITY). */
export function resolveValidity(value: string | null | undefined, fallback: string): string {
  const v = (value ?? fallback).trim();
  if (v !== 'NEVER' && !parseDuration(v))
    throw new BadInputError('validity must be an ISO-8601 duration or NEVER', 'validity');
  return v;
}

/** What every write for one member's points names; {@link assertMemberWrite} checks it. */
export interface MemberWriteFields {
  idempotencyKey: unknown;
  memberId: unknown;
  kind: unknown;
}

/** The idempotency key, the member and the kind of a member write, checked in that order. */
export function assertMemberWrite(cmd: MemberWriteFields): {
  key: string;
  memberId: string;
  kind: PointKind;
} {
  const key = assertIdempotencyKey(cmd.idempotencyKey);
  const memberId = assertId(cmd.memberId, 'memberId');
  const kind = assertKind(cmd.kind);
  return { key, memberId, kind };
}
