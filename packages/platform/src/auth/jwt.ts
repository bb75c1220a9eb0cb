import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { UnauthenticatedError } from '../errors/errors';
import { ROLES, type Principal, type Role } from './principal';

const ISSUER = 'loyalty-platform';
const AUDIENCE = 'loyalty-graph';

/** Signs and verifies the platform's HS256 tokens (roles member, partner, admin, service). */
export class TokenService {
  /**
   * The HMAC key as a KeyObject, made once: given a string, jsonwebtoken first tries (and fails)
   * to parse it as a public key on every call, which costs milliseconds per request under load.
   */
  private readonly key: KeyObject;

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  sign(principal: Principal, expiresIn: jwt.SignOptions['expiresIn'] = '12h'): string {
    const claims: Record<string, unknown> = { role: principal.role };
    if (principal.merchantId) claims.merchantId = principal.merchantId;
    return jwt.sign(claims, this.key, {
      algorithm: 'HS256',
      subject: principal.sub,
      issuer: ISSUER,
      audience: AUDIENCE,
      expiresIn,
    });
  }

  /** A short-lived token a service uses for an internal call. */
  signService(serviceName: string): string {
    return this.sign({ role: 'service', sub: serviceName }, '5m');
  }

  /** Verifies signature, algorithm, issuer, audience and expiry; throws UNAUTHENTICATED. */
  verify(token: string): Principal {
    let payload: jwt.JwtPayload;
    try {
      // Pinning the algorithm closes the alg=none / RS-HS confusion attacks.
      const decoded = jwt.verify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      if (typeof decoded === 'string') throw new Error('unexpected string payload');
      payload = decoded;
    } catch {
      throw new UnauthenticatedError('Invalid or expired token');
    }
    const role = payload.role as Role;
    if (!ROLES.includes(role) || typeof payload.sub !== 'string' || payload.sub === '') {
      throw new UnauthenticatedError('Token lacks a valid role or subject');
    }
    if (role === 'partner' && typeof payload.merchantId !== 'string') {
      throw new UnauthenticatedError('Partner token lacks merchantId');
    }
    return {
      role,
      sub: payload.sub,
      ...(role === 'partner' ? { merchantId: payload.merchantId as string } : {}),
    };
  }

  /** Reads `Authorization: Bearer …`; null when absent (anonymous), throws when malformed or bad. */
  fromHeader(header: string | undefined | null): Principal | null {
    if (!header) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) throw new UnauthenticatedError('Authorization header must be "Bearer <token>"');
    return this.verify(match[1]);
  }
}
