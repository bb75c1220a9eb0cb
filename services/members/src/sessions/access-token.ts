import type { TokenService } from '@loyalty/platform';

/** A member access token and when it stops being accepted. */
export interface AccessToken {
  token: string;
  expiresAt: Date;
}

/**
 * The one place the members service mints member tokens (sessions and sign-up grants), so a
 * change of the platform's signing (algorithm, async keys) touches only this function.
 */
export async function signMemberToken(
  tokens: TokenService,
  memberId: string,
  ttlMs: number,
): Promise<AccessToken> {
  const seconds = Math.max(1, Math.floor(ttlMs / 1000));
  // The token's `exp` counts from the system clock at whole seconds, as JWTs do.
  const issuedAt = Math.floor(Date.now() / 1000);
  const token = await Promise.resolve(tokens.sign({ role: 'member', sub: memberId }, seconds));
  return { token, expiresAt: new Date((issuedAt + seconds) * 1000) };
}
