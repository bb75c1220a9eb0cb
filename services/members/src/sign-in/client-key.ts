import type { BaseContext } from '@loyalty/platform';

/** The caller's address as a rate-limit key (an IPv4 address mapped into IPv6 counts as itself). */
export function clientKeyOf(ctx: BaseContext): string {
  return (ctx.clientAddress ?? 'unknown').replace(/^::ffff:/, '');
}
