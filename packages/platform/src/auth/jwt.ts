import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  SignJWT,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { LRUCache } from 'lru-cache';
import type { PlatformConfig } from '../config';
import { UnauthenticatedError } from '../errors/errors';
import { durationMs, parseDuration } from '../time/duration';
import { loadTokenKeys, type KeyRing, type TokenKeys } from './keys';
import { ROLES, type Principal, type Role } from './principal';

/** `iss` of every token the platform signs. */
export const TOKEN_ISSUER = 'loyalty-platform';
/** `aud` of member, partner and admin tokens: the public graph. */
export const USER_AUDIENCE = 'loyalty-graph';
/** `aud` of service tokens: only subgraphs accept them. */
export const SERVICE_AUDIENCE = 'loyalty-internal';

/**
 * Longest lifetime (`exp` − `iat`, seconds) accepted per role; a longer-lived token is refused
 * even when correctly signed. Members hold short access tokens (sign-in sessions refresh them),
 * partner credentials last at most a year, internal calls five minutes.
 */
export const MAX_TOKEN_TTL: Readonly<Record<Role, number>> = {
  member: 60 * 60,
  admin: 12 * 60 * 60,
  partner: 366 * 24 * 60 * 60,
  service: 5 * 60,
};

/** Lifetime of a token signed without one. */
export const DEFAULT_TOKEN_TTL: Readonly<Record<Role, number>> = {
  member: 60 * 60,
  admin: 12 * 60 * 60,
  partner: 30 * 24 * 60 * 60,
  service: 5 * 60,
};

/** Verified tokens a {@link TokenService} remembers (least recently used dropped first). */
export const VERIFIED_TOKENS = 10_000;

/** Longest a verified token is reused without verifying it again, in milliseconds. */
export const VERIFIED_TOKEN_REUSE_MS = 60_000;

/** Tolerated clock difference between the signer and the verifier, in seconds. */
export const CLOCK_TOLERANCE_S = 5;

/**
 * A token lifetime: seconds, an ISO-8601 duration (`PT15M`) or a time span as jose reads it
 * (`15m`, `30d`).
 */
export type TokenTtl = number | string;

/** The claims the platform puts in a token besides the registered ones. */
export function tokenClaims(principal: Principal): Record<string, string> {
  return principal.merchantId
    ? { role: principal.role, merchantId: principal.merchantId }
    : { role: principal.role };
}

/** Refuses a token without `exp`, or one whose lifetime exceeds `maxSeconds`. */
export function assertLifetime(payload: JWTPayload, maxSeconds: number, nowSeconds: number): void {
  const { exp, iat } = payload;
  if (typeof exp !== 'number') throw new UnauthenticatedError('Token has no expiry');
  // Measured from issue and from now: a future-dated `iat` cannot stretch the window.
  const lifetime = Math.max(exp - (typeof iat === 'number' ? iat : nowSeconds), exp - nowSeconds);
  if (lifetime > maxSeconds + CLOCK_TOLERANCE_S) throw new UnauthenticatedError('Token lives too long');
}

/** Turns a verified payload into a principal, or refuses it. */
function principalOf(payload: JWTPayload): Principal {
  const role = payload.role as Role;
  if (!ROLES.includes(role) || typeof payload.sub !== 'string' || payload.sub === '') {
    throw new UnauthenticatedError('Token lacks a valid role or subject');
  }
  if (role === 'partner' && (typeof payload.merchantId !== 'string' || payload.merchantId === '')) {
    throw new UnauthenticatedError('Partner token lacks merchantId');
  }
  return {
    role,
    sub: payload.sub,
    ...(role === 'partner' ? { merchantId: payload.merchantId as string } : {}),
  };
}

function ttlSeconds(ttl: TokenTtl): number | string {
  if (typeof ttl === 'number') return ttl;
  const iso = ttl.startsWith('P') ? parseDuration(ttl) : null;
  return iso ? Math.floor(durationMs(iso) / 1000) : ttl;
}

/**
 * Signs and verifies the platform's ES256 tokens. Member, partner and admin tokens and service
 * tokens are signed with different keys and carry different audiences: a service holding only
 * public keys verifies but cannot mint, a leaked user key cannot mint service tokens, and a
 * leaked service key cannot mint user tokens. Keys are chosen by `kid`, so a rotation accepts
 * the previous keys while the current one signs.
 */
export class TokenService {
  private readonly userKeys: JWTVerifyGetKey;
  private readonly serviceKeys: JWTVerifyGetKey;
  private readonly userKids: Set<string>;
  private readonly serviceKids: Set<string>;
  private readonly serviceTokens = new Map<string, { token: Promise<string>; renewAt: number }>();
  /**
   * Tokens verified lately: one request reaches the gateway and then several subgraphs with the
   * same token, and clients resend theirs, so each is checked once a minute rather than on every
   * hop (an ES256 verification costs a hundred times an HMAC one). Keys only change with a
   * restart and the platform's tokens cannot be revoked (sign-in sessions end by expiry), so a
   * cached answer stays right until the token's own expiry, which bounds each entry with the
   * minute; the least recently used entries make room past {@link VERIFIED_TOKENS}.
   */
  private readonly verified = new LRUCache<string, { principal: Principal; until: number }>({
    max: VERIFIED_TOKENS,
  });

  constructor(private readonly keys: TokenKeys) {
    this.userKeys = createLocalJWKSet({ keys: keys.user.verify });
    this.serviceKeys = createLocalJWKSet({ keys: keys.service.verify });
    this.userKids = new Set(keys.user.verify.map((k) => k.kid));
    this.serviceKids = new Set(keys.service.verify.map((k) => k.kid));
  }

  /** The keys the configuration names (or the development keys under `DATA_DIR`). */
  static fromConfig(config: PlatformConfig): TokenService {
    return new TokenService(loadTokenKeys(config));
  }

  /** Public keys of member, partner and admin tokens, as a JWKS. */
  get userJwks(): { keys: KeyRing['verify'] } {
    return { keys: this.keys.user.verify };
  }

  /** Public keys of service tokens, as a JWKS. */
  get serviceJwks(): { keys: KeyRing['verify'] } {
    return { keys: this.keys.service.verify };
  }

  /**
   * Signs a member, partner or admin token with the current user key. `ttl` defaults per role
   * ({@link DEFAULT_TOKEN_TTL}) and may not exceed {@link MAX_TOKEN_TTL}.
   */
  async sign(principal: Principal, ttl: TokenTtl = DEFAULT_TOKEN_TTL[principal.role]): Promise<string> {
    if (principal.role === 'service') throw new Error('service tokens are signed with signService');
    const signing = this.keys.user.signing;
    if (!signing) throw new Error('this process has no AUTH_SIGNING_KEY: it verifies but cannot mint');
    return this.signWith(signing, principal, USER_AUDIENCE, ttl);
  }

  /**
   * A short-lived token a service uses for an internal call, signed with the service key. One is
   * reused for a minute, so that calls do not each pay a signature.
   */
  signService(serviceName: string): Promise<string> {
    const signing = this.keys.service.signing;
    if (!signing) {
      return Promise.reject(
        new Error('this process has no AUTH_SERVICE_SIGNING_KEY: it cannot call services'),
      );
    }
    const cached = this.serviceTokens.get(serviceName);
    if (cached && cached.renewAt > Date.now()) return cached.token;
    const token = this.signWith(
      signing,
      { role: 'service', sub: serviceName },
      SERVICE_AUDIENCE,
      MAX_TOKEN_TTL.service,
    );
    this.serviceTokens.set(serviceName, { token, renewAt: Date.now() + 60_000 });
    token.catch(() => this.serviceTokens.delete(serviceName));
    return token;
  }

  /** True when `kid` names one of this platform's keys (user or service). */
  knows(kid: string | undefined): boolean {
    return kid !== undefined && (this.userKids.has(kid) || this.serviceKids.has(kid));
  }

  /**
   * Verifies signature (ES256 only), key id, issuer, audience, expiry and lifetime, and that the
   * key matches the role: only service keys sign service tokens. Throws UNAUTHENTICATED.
   */
  async verify(token: string): Promise<Principal> {
    const cached = this.verified.get(token);
    if (cached && cached.until > Date.now()) return cached.principal;
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new UnauthenticatedError('Malformed token');
    }
    const service = kid !== undefined && this.serviceKids.has(kid);
    if (!service && !(kid !== undefined && this.userKids.has(kid))) {
      throw new UnauthenticatedError('Token signed with an unknown key');
    }
    let payload: JWTPayload;
    try {
      // Pinning the algorithm closes the alg=none and HMAC-with-public-key attacks.
      ({ payload } = await jwtVerify(token, service ? this.serviceKeys : this.userKeys, {
        algorithms: ['ES256'],
        issuer: TOKEN_ISSUER,
        audience: service ? SERVICE_AUDIENCE : USER_AUDIENCE,
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch {
      throw new UnauthenticatedError('Invalid or expired token');
    }
    const principal = Object.freeze(principalOf(payload));
    if ((principal.role === 'service') !== service) {
      throw new UnauthenticatedError('Token role does not match its key');
    }
    assertLifetime(payload, MAX_TOKEN_TTL[principal.role], Math.floor(Date.now() / 1000));
    this.verified.set(token, {
      principal,
      until: Math.min((payload.exp as number) * 1000, Date.now() + VERIFIED_TOKEN_REUSE_MS),
    });
    return principal;
  }

  private async signWith(
    signing: NonNullable<KeyRing['signing']>,
    principal: Principal,
    audience: string,
    ttl: TokenTtl,
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const span = ttlSeconds(ttl);
    const token = await new SignJWT(tokenClaims(principal))
      .setProtectedHeader({ alg: 'ES256', kid: signing.kid, typ: 'JWT' })
      .setSubject(principal.sub)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(typeof span === 'number' ? now + span : span)
      .sign(signing.key);
    const exp = decodeJwt(token).exp as number;
    // jose reads a span (`30d`) against its own clock reading: allow it the second it may tick.
    if (exp - now > MAX_TOKEN_TTL[principal.role] + 1) {
      throw new Error(`a ${principal.role} token may live at most ${MAX_TOKEN_TTL[principal.role]} s`);
    }
    return token;
  }
}
