import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { PlatformConfig } from '../config';
import { UnauthenticatedError } from '../errors/errors';
import { durationMs, requireDuration } from '../time/duration';
import { assertLifetime, CLOCK_TOLERANCE_S } from './jwt';
import type { Principal } from './principal';

export interface OidcOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Milliseconds fetched keys are used before they are fetched again. */
  cacheMaxAgeMs: number;
  /** Least milliseconds between fetches triggered by an unknown `kid`. */
  cooldownMs: number;
  /** Longest lifetime accepted, seconds. */
  maxTtlSeconds: number;
}

/**
 * Member tokens of the operator's own OpenID Connect provider (RS256 or ES256). Keys come from
 * the provider's JWKS through jose, which caches them and fetches again when a token names a key
 * it has not seen (the provider rotated), at most once per cooldown.
 */
export class OidcVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly options: OidcOptions) {
    this.keys = createRemoteJWKSet(new URL(options.jwksUrl), {
      cacheMaxAge: options.cacheMaxAgeMs,
      cooldownDuration: options.cooldownMs,
      timeoutDuration: 5000,
    });
  }

  /** The verifier the configuration asks for, or null when no provider is configured. */
  static fromConfig(config: PlatformConfig): OidcVerifier | null {
    const env = config.env;
    if (!env.AUTH_JWKS_URL || !env.AUTH_ISSUER || !env.AUTH_AUDIENCE) return null;
    return new OidcVerifier({
      jwksUrl: env.AUTH_JWKS_URL,
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      cacheMaxAgeMs: durationMs(requireDuration(env.AUTH_JWKS_CACHE_MAX_AGE)),
      cooldownMs: env.AUTH_JWKS_COOLDOWN === 'PT0S' ? 0 : durationMs(requireDuration(env.AUTH_JWKS_COOLDOWN)),
      maxTtlSeconds: Math.floor(durationMs(requireDuration(env.AUTH_OIDC_MAX_TTL)) / 1000),
    });
  }

  /** A member principal whose id is the token's `sub`; throws UNAUTHENTICATED. */
  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: ['RS256', 'ES256'],
        issuer: this.options.issuer,
        audience: this.options.audience,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch {
      throw new UnauthenticatedError('Invalid or expired token');
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new UnauthenticatedError('Token lacks a subject');
    }
    assertLifetime(payload, this.options.maxTtlSeconds, Math.floor(Date.now() / 1000));
    return { role: 'member', sub: payload.sub };
  }
}
