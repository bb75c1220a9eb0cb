import { cacheControlFromInfo } from '@apollo/cache-control-types';
import type { GraphQLResolveInfo } from 'graphql';

/**
 * What a type says to let a root field's {@link allowPublicReuse} cover it: without it, a field
 * returning the type ends the answer's reuse (Apollo's default for objects). Put it only on types
 * whose every field is the same for every caller.
 */
export const INHERITS_REUSE = '@cacheControl(inheritMaxAge: true)';

/**
 * Lets the gateway answer this root field from an earlier answer, for any caller, for up to
 * `seconds` (the answer's `Cache-Control: max-age=N, public`). Only when every other field of the
 * answer allows it too: a root field, or an object type, without a hint makes the answer unreusable.
 * Call it only where the field's whole answer is the same for every caller.
 */
export function allowPublicReuse(info: GraphQLResolveInfo, seconds: number): void {
  if (seconds > 0) cacheControlFromInfo(info).setCacheHint({ maxAge: Math.floor(seconds) });
}

/** Shortens how long the answer holding this field may be reused (e.g. until a price changes). */
export function limitPublicReuse(info: GraphQLResolveInfo, seconds: number): void {
  cacheControlFromInfo(info).cacheHint.restrict({ maxAge: Math.max(0, Math.floor(seconds)) });
}
