import type { Extra } from 'graphql-ws/use/ws';
import {
  ErrorCode,
  preferredLanguage,
  type Authenticator,
  type Language,
  type Principal,
} from '@loyalty/platform';
import { RealtimeClose } from './limits';

/** What a connection learnt from its `connection_init` (a type: graphql-ws wants a record). */
export type ConnectionState = {
  principal?: Principal;
  authorization?: string;
  expiry?: NodeJS.Timeout;
  language?: Language;
};

/** graphql-ws's per-socket `extra`, carrying the connection's state. */
export type ConnectionExtra = Extra & Partial<ConnectionState>;

/** The token's expiry (seconds since the epoch), read after verification. */
function expiryOf(authorization: string): number | null {
  try {
    const payload = authorization.replace(/^Bearer\s+/i, '').split('.')[1];
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : null;
  } catch {
    return null;
  }
}

/** The connection lives no longer than its token; the client reconnects with a fresh one. */
function closeAtExpiry(extra: ConnectionExtra, authorization: string): void {
  const exp = expiryOf(authorization);
  if (exp === null) return;
  const ms = Math.min(exp * 1000 - Date.now(), 2 ** 31 - 1);
  extra.expiry = setTimeout(
    () => extra.socket.close(RealtimeClose.Unauthenticated, 'Unauthorized: token expired'),
    ms,
  );
  extra.expiry.unref();
}

/**
 * Authenticates a connection by the bearer token in its `connection_init` payload. Accepted, the
 * connection remembers the principal and header (for operations over the socket); refused, the
 * socket is closed with 4401 and `false` tells graphql-ws not to acknowledge it.
 */
export async function authenticateConnection(
  authenticator: Authenticator,
  extra: ConnectionExtra,
  params: Readonly<Record<string, unknown>> | undefined,
): Promise<boolean> {
  const raw = params?.authorization ?? params?.Authorization;
  const refuse = (reason: string) => {
    extra.socket.close(RealtimeClose.Unauthenticated, `Unauthorized: ${reason}`);
    return false;
  };
  if (typeof raw !== 'string' || raw === '') {
    return refuse(
      `${ErrorCode.UNAUTHENTICATED}: send { "authorization": "Bearer <jwt>" } in connection_init`,
    );
  }
  let principal: Principal | null;
  try {
    principal = await authenticator.authenticate(raw);
  } catch {
    return refuse(`${ErrorCode.UNAUTHENTICATED}: invalid or expired token`);
  }
  if (!principal) return refuse(ErrorCode.UNAUTHENTICATED);
  extra.principal = principal;
  extra.authorization = raw;
  // Browsers send Accept-Language with the upgrade; other clients may say it in connection_init.
  const asked = params?.acceptLanguage ?? params?.['accept-language'];
  extra.language = preferredLanguage(
    typeof asked === 'string' ? asked : extra.request.headers['accept-language'],
  );
  closeAtExpiry(extra, raw);
  return true;
}

/**
 * A partner API key can be revoked while its connection is open: each operation checks the key
 * again (cached, so cheap), and a revoked key's connection is closed with 4401.
 */
export async function stillAuthenticated(
  authenticator: Authenticator,
  extra: ConnectionExtra,
): Promise<boolean> {
  if (!extra.principal?.apiKeyId) return true;
  try {
    await authenticator.authenticate(extra.authorization);
    return true;
  } catch {
    extra.socket.close(
      RealtimeClose.Unauthenticated,
      `Unauthorized: ${ErrorCode.UNAUTHENTICATED}: key revoked`,
    );
    return false;
  }
}

/** Forgets a closed connection's expiry timer. */
export function releaseConnection(extra: ConnectionExtra): void {
  if (extra.expiry) clearTimeout(extra.expiry);
}
