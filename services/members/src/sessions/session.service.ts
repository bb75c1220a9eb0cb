import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { UnauthenticatedError, type TokenService, type Transactor } from '@loyalty/platform';
import { sha256 } from '../sign-in/sign-in.rules';
import { signMemberToken } from './access-token';
import type { Clock } from './clock';
import { RefreshTokenRow } from './refresh-token.entity';
import { SessionRow } from './session.entity';

/** What `signIn` and `refreshSession` return (the `Session` type). */
export interface SessionGrant {
  memberId: string;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
}

export interface SessionSettings {
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
}

/**
 * How long a sign-up grant lives: only for the rest of the anonymous `registerMember` operation
 * that created the member (see the members README, "Sign-up").
 */
const SIGN_UP_GRANT_TTL_MS = 60_000;

type Refreshed = { ok: true; memberId: string; refreshToken: string } | { ok: false; reason: string };

/**
 * Member sessions: short stateless access tokens, and single-use refresh tokens that rotate on
 * every refresh. A session is the family of refresh tokens from one sign-in; a retired token
 * presented again means that someone else holds a copy, so the whole family is revoked.
 */
export class SessionService {
  constructor(
    private readonly transactor: Transactor,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly settings: SessionSettings,
  ) {}

  /** A new session for `memberId`, inside the caller's transaction; returns its refresh token. */
  async open(manager: EntityManager, memberId: string, now: Date): Promise<string> {
    const session = manager.create(SessionRow, {
      id: randomUUID(),
      memberId,
      createdAt: now,
      revokedAt: null,
      revokedReason: null,
    });
    await manager.insert(SessionRow, session);
    return this.issueRefreshToken(manager, session.id, now);
  }

  /** The access token for a session whose refresh token was just issued. */
  async grant(memberId: string, refreshToken: string): Promise<SessionGrant> {
    const access = await signMemberToken(this.tokens, memberId, this.settings.accessTokenTtlMs);
    return { memberId, accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken };
  }

  /** A token good for one operation's reads of a member its anonymous caller just created. */
  async signUpGrant(memberId: string): Promise<string> {
    return (await signMemberToken(this.tokens, memberId, SIGN_UP_GRANT_TTL_MS)).token;
  }

  /**
   * Exchanges a refresh token for a new pair and retires it. Unknown, expired, revoked or
   * retired tokens are UNAUTHENTICATED; a retired one also revokes its session (committed even
   * though the call fails: that is the point of reuse detection).
   */
  async refresh(refreshToken: string): Promise<SessionGrant> {
    const now = this.clock.now();
    const tokenHash = sha256(refreshToken);
    const outcome = await this.transactor.run<Refreshed>(async ({ manager }) => {
      const row = await manager.findOneBy(RefreshTokenRow, { tokenHash });
      if (!row) return { ok: false, reason: 'Unknown refresh token' };
      const session = await manager.findOneBy(SessionRow, { id: row.sessionId });
      if (!session || session.revokedAt)
        return { ok: false, reason: 'This session has ended; sign in again' };
      if (row.retiredAt) return this.revokeForReuse(manager, session.id, now);
      if (row.expiresAt.getTime() <= now.getTime()) {
        return { ok: false, reason: 'The refresh token has expired; sign in again' };
      }
      // Retire first, conditionally: of two concurrent refreshes with one token only one wins;
      // the other is a reuse.
      const retired = await manager
        .createQueryBuilder()
        .update(RefreshTokenRow)
        .set({ retiredAt: now })
        .where('id = :id AND retiredAt IS NULL', { id: row.id })
        .execute();
      if (!retired.affected) return this.revokeForReuse(manager, session.id, now);
      const next = await this.issueRefreshToken(manager, session.id, now);
      return { ok: true, memberId: session.memberId, refreshToken: next };
    });
    if (!outcome.ok) throw new UnauthenticatedError(outcome.reason);
    return this.grant(outcome.memberId, outcome.refreshToken);
  }

  /**
   * Ends the session that `refreshToken` belongs to (any of its tokens, current or retired);
   * true once it is ended, also when it already was. An unknown token is UNAUTHENTICATED.
   */
  async signOut(refreshToken: string): Promise<boolean> {
    const now = this.clock.now();
    const found = await this.transactor.run(async ({ manager }) => {
      const row = await manager.findOneBy(RefreshTokenRow, { tokenHash: sha256(refreshToken) });
      if (!row) return false;
      await this.revoke(manager, row.sessionId, now, 'sign-out');
      return true;
    });
    if (!found) throw new UnauthenticatedError('Unknown refresh token');
    return true;
  }

  private async revokeForReuse(manager: EntityManager, sessionId: string, now: Date): Promise<Refreshed> {
    await this.revoke(manager, sessionId, now, 'refresh-token-reuse');
    return { ok: false, reason: 'This refresh token was already used; the session has been ended' };
  }

  private async revoke(manager: EntityManager, sessionId: string, now: Date, reason: string): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(SessionRow)
      .set({ revokedAt: now, revokedReason: reason })
      .where('id = :id AND revokedAt IS NULL', { id: sessionId })
      .execute();
  }

  private async issueRefreshToken(manager: EntityManager, sessionId: string, now: Date): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await manager.insert(RefreshTokenRow, {
      id: randomUUID(),
      sessionId,
      tokenHash: sha256(token),
      expiresAt: new Date(now.getTime() + this.settings.refreshTokenTtlMs),
      createdAt: now,
      retiredAt: null,
    });
    return token;
  }
}
