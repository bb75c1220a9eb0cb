import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importJWK, SignJWT, type JWK, type KeyLike } from 'jose';
import { generateJwkPair } from '@loyalty/platform';

/** One signing key of the test provider. */
export interface ProviderKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyLike;
  jwk: JWK;
}

/** Makes a provider key pair (RS256 or ES256) with its public JWK. */
export async function providerKey(kid: string, alg: 'RS256' | 'ES256'): Promise<ProviderKey> {
  // Written as JWKs by the generation (generateJwkPair says why: exporting afterwards can deadlock).
  const pair = generateJwkPair(alg);
  const privateKey = (await importJWK(pair.privateKey as JWK, alg)) as KeyLike;
  return { kid, alg, privateKey, jwk: { ...(pair.publicKey as JWK), kid, alg, use: 'sig' } };
}

/**
 * A stand-in OpenID Connect provider for tests: a real HTTP server publishing a JWKS (which keys
 * it lists can change, as in a rotation) and counting how often it is fetched; it signs tokens
 * with any of its keys. Start it in `beforeAll` (its URL goes into the configuration) and
 * `close` it in `afterAll`.
 */
export async function startOidcProvider(options: { issuer?: string; audience?: string } = {}) {
  const issuer = options.issuer ?? 'https://id.operator.test/';
  const audience = options.audience ?? 'loyalty-member-app';
  let published: ProviderKey[] = [];
  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.statusCode = 404;
      res.end();
      return;
    }
    fetches += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    issuer,
    audience,
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    /** Settings that make the platform accept this provider's tokens. */
    settings(): Record<string, string> {
      return { AUTH_JWKS_URL: this.jwksUrl, AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience };
    },
    /** Replaces the keys the JWKS lists. */
    publish(...keys: ProviderKey[]) {
      published = keys;
    },
    /** How many times the JWKS was fetched. */
    fetches: () => fetches,
    /** A token of this provider for `sub`, signed with `key`; `o` overrides claims and times. */
    sign(
      key: ProviderKey,
      sub: string,
      o: { iss?: string; aud?: string; ttlSeconds?: number | null; claims?: Record<string, unknown> } = {},
    ): Promise<string> {
      const now = Math.floor(Date.now() / 1000);
      const jwt = new SignJWT({ ...o.claims })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .setSubject(sub)
        .setIssuer(o.iss ?? issuer)
        .setAudience(o.aud ?? audience)
        .setIssuedAt(now);
      if (o.ttlSeconds !== null) jwt.setExpirationTime(now + (o.ttlSeconds ?? 300));
      return jwt.sign(key.privateKey);
    },
    close,
  };
}

export type OidcProvider = Awaited<ReturnType<typeof startOidcProvider>>;
