import { TokenService } from '@loyalty/platform';
import type { Principal } from '@loyalty/platform';
import type { PlatformConfig } from '@loyalty/platform';

export interface GraphQLResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions?: { code?: string; [k: string]: unknown };
  }[];
}

/** POSTs one GraphQL operation, optionally with a Bearer token. */
export async function graphqlRequest<T = Record<string, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphQLResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResult<T>;
}

/** Signs tokens the way `pnpm run token` does, with the test configuration's secret. */
export function tokensFor(config: PlatformConfig) {
  const tokens = new TokenService(config.env.AUTH_JWT_SECRET);
  return {
    admin: () => tokens.sign({ role: 'admin', sub: 'admin' }),
    member: (memberId: string) => tokens.sign({ role: 'member', sub: memberId }),
    partner: (merchantId: string) =>
      tokens.sign({ role: 'partner', sub: `partner:${merchantId}`, merchantId }),
    service: (name = 'test') => tokens.signService(name),
    sign: (p: Principal) => tokens.sign(p),
  };
}

/** Polls until `check` returns a truthy value or the time runs out (for eventual effects). */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
