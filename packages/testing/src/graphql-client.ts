import jwt from 'jsonwebtoken';
import {
  DEFAULT_TOKEN_TTL,
  loadTokenKeys,
  SERVICE_AUDIENCE,
  TOKEN_ISSUER,
  tokenClaims,
  USER_AUDIENCE,
} from '@loyalty/platform';
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

/**
 * Signs tokens the way `pnpm run token` does (same keys, claims and lifetimes), synchronously so
 * that tests can write `tokens.admin()` inline: jose, which the platform signs with, only signs
 * asynchronously, so this uses jsonwebtoken; the platform's jose verification checks every one.
 */
export function tokensFor(config: PlatformConfig) {
  const keys = loadTokenKeys(config);
  const sign = (p: Principal) => {
    const ring = p.role === 'service' ? keys.service : keys.user;
    if (!ring.signing) throw new Error(`the test configuration has no ${p.role} signing key`);
    return jwt.sign(tokenClaims(p), ring.signing.key, {
      algorithm: 'ES256',
      keyid: ring.signing.kid,
      subject: p.sub,
      issuer: TOKEN_ISSUER,
      audience: p.role === 'service' ? SERVICE_AUDIENCE : USER_AUDIENCE,
      expiresIn: DEFAULT_TOKEN_TTL[p.role],
    });
  };
  return {
    admin: () => sign({ role: 'admin', sub: 'admin' }),
    member: (memberId: string) => sign({ role: 'member', sub: memberId }),
    partner: (merchantId: string) => sign({ role: 'partner', sub: `partner:${merchantId}`, merchantId }),
    service: (name = 'test') => sign({ role: 'service', sub: name }),
    sign,
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
