import { createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT } from 'jose';
import {
  Authenticator,
  ConfigError,
  DEVELOPMENT_KEYS_FILE,
  ErrorCode,
  generateSigningJwk,
  loadConfig,
  loadTokenKeys,
  publicJwk,
  SERVICE_AUDIENCE,
  TOKEN_ISSUER,
  TokenService,
  USER_AUDIENCE,
  type AppError,
  type PrivateJwk,
  type Principal,
} from '@loyalty/platform';
import { tokensFor } from '@loyalty/testing';

const userKey = generateSigningJwk('user');
const serviceKey = generateSigningJwk('service');
const config = loadConfig(
  { AUTH_SIGNING_KEY: JSON.stringify(userKey), AUTH_SERVICE_SIGNING_KEY: JSON.stringify(serviceKey) },
  {},
);
const tokens = TokenService.fromConfig(config);
const auth = Authenticator.fromConfig(config, tokens);

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as AppError).code ?? String(e);
  }
  return 'no error';
};
const keyOf = (jwk: PrivateJwk): KeyObject => createPrivateKey({ key: jwk, format: 'jwk' });
const now = () => Math.floor(Date.now() / 1000);

/** A token built by hand, for the forgeries below. */
function forge(
  key: KeyObject | Uint8Array,
  o: {
    alg?: string;
    kid?: string;
    claims?: Record<string, unknown>;
    sub?: string;
    aud?: string;
    iat?: number;
    exp?: number | null;
  } = {},
): Promise<string> {
  const jwt = new SignJWT({ role: 'admin', ...o.claims })
    .setProtectedHeader({ alg: o.alg ?? 'ES256', ...(o.kid === undefined ? {} : { kid: o.kid }) })
    .setSubject(o.sub ?? 'admin')
    .setIssuer(TOKEN_ISSUER)
    .setAudience(o.aud ?? USER_AUDIENCE)
    .setIssuedAt(o.iat ?? now());
  if (o.exp !== null) jwt.setExpirationTime(o.exp ?? now() + 600);
  return jwt.sign(key);
}

describe('TokenService', () => {
  it('round-trips every role, each through its own key and audience', async () => {
    const member: Principal = { role: 'member', sub: 'm1' };
    const partner: Principal = { role: 'partner', sub: 'p', merchantId: 'shop' };
    expect(await tokens.verify(await tokens.sign(member))).toEqual(member);
    expect(await tokens.verify(await tokens.sign(partner))).toEqual(partner);
    expect(await tokens.verify(await tokens.sign({ role: 'admin', sub: 'ops' }, 'PT1H'))).toEqual({
      role: 'admin',
      sub: 'ops',
    });
    expect(await auth.authenticate(`Bearer ${await tokens.signService('ledger')}`)).toEqual({
      role: 'service',
      sub: 'ledger',
    });
    expect(await auth.authenticate(undefined)).toBeNull();
    expect(await codeOf(tokens.sign({ role: 'service', sub: 'x' }))).toMatch(/signService/);
  });

  it('signs ES256 with the key id, an expiry and a lifetime within the role maximum', async () => {
    const [header, payload] = (await tokens.sign({ role: 'member', sub: 'm1' }))
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'ES256', kid: userKey.kid });
    expect(payload).toMatchObject({ role: 'member', sub: 'm1', aud: USER_AUDIENCE, iss: TOKEN_ISSUER });
    expect((payload.exp as number) - (payload.iat as number)).toBe(3600);
    await expect(tokens.sign({ role: 'member', sub: 'm1' }, '2h')).rejects.toThrow(/at most 3600/);
    await expect(tokens.sign({ role: 'admin', sub: 'a' }, 'P1D')).rejects.toThrow(/at most/);
    const partner = { role: 'partner' as const, sub: 'partner:shop', merchantId: 'shop' };
    expect(await tokens.verify(await tokens.sign(partner, '366d'))).toEqual(partner);
    await expect(tokens.sign(partner, '367d')).rejects.toThrow(/at most/);
  });

  it('agrees with the test harness: tokensFor signs what the platform accepts', async () => {
    const t = tokensFor(config);
    expect(await tokens.verify(t.member('m9'))).toEqual({ role: 'member', sub: 'm9' });
    expect(await tokens.verify(t.partner('shop'))).toMatchObject({ role: 'partner', merchantId: 'shop' });
    expect(await tokens.verify(t.service('campaigns'))).toEqual({ role: 'service', sub: 'campaigns' });
  });

  const stranger = generateSigningJwk('user');
  const hmac = new TextEncoder().encode('loyalty-development-secret-change-me');
  it.each<[string, () => Promise<string>]>([
    ['HS256 with the old development secret', () => forge(hmac, { alg: 'HS256', kid: userKey.kid })],
    [
      'alg none',
      async () =>
        new UnsecuredJWT({ role: 'admin' })
          .setSubject('admin')
          .setIssuer(TOKEN_ISSUER)
          .setAudience(USER_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('10m')
          .encode(),
    ],
    ['an unknown key id', () => forge(keyOf(stranger), { kid: stranger.kid })],
    ['no key id', () => forge(keyOf(userKey))],
    ['a stranger key under a known key id', () => forge(keyOf(stranger), { kid: userKey.kid })],
    [
      'an expired token',
      () => forge(keyOf(userKey), { kid: userKey.kid, iat: now() - 700, exp: now() - 60 }),
    ],
    ['no expiry', () => forge(keyOf(userKey), { kid: userKey.kid, exp: null })],
    [
      'a member token living two hours',
      () =>
        forge(keyOf(userKey), { kid: userKey.kid, claims: { role: 'member' }, sub: 'm1', exp: now() + 7200 }),
    ],
    [
      'a future-dated iat stretching the lifetime',
      () =>
        forge(keyOf(userKey), {
          kid: userKey.kid,
          claims: { role: 'member' },
          sub: 'm1',
          iat: now() + 86_400,
          exp: now() + 86_400 + 600,
        }),
    ],
    [
      'a service token signed with the user key',
      () =>
        forge(keyOf(userKey), {
          kid: userKey.kid,
          claims: { role: 'service' },
          sub: 'ledger',
          aud: SERVICE_AUDIENCE,
          exp: now() + 60,
        }),
    ],
    [
      'a service role in a user-audience token of the user key',
      () => forge(keyOf(userKey), { kid: userKey.kid, claims: { role: 'service' }, exp: now() + 60 }),
    ],
    [
      'an admin token signed with the service key',
      () => forge(keyOf(serviceKey), { kid: serviceKey.kid, aud: SERVICE_AUDIENCE }),
    ],
    [
      'a user token with the service audience',
      () => forge(keyOf(userKey), { kid: userKey.kid, aud: SERVICE_AUDIENCE }),
    ],
    ['an unknown role', () => forge(keyOf(userKey), { kid: userKey.kid, claims: { role: 'root' } })],
    [
      'a partner without merchant',
      () => forge(keyOf(userKey), { kid: userKey.kid, claims: { role: 'partner' } }),
    ],
    ['garbage', async () => 'abc.def.ghi'],
  ])('refuses %s as UNAUTHENTICATED', async (_case, make) => {
    const token = await make();
    expect(await codeOf(auth.authenticate(`Bearer ${token}`))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('remembers a verified token only until it expires', async () => {
    const token = await tokens.sign({ role: 'member', sub: 'm1' }, 60);
    jest.useFakeTimers({ now: Date.now() });
    try {
      expect(await tokens.verify(token)).toEqual({ role: 'member', sub: 'm1' });
      jest.setSystemTime(Date.now() + 59_000);
      expect(await tokens.verify(token)).toEqual({ role: 'member', sub: 'm1' });
      jest.setSystemTime(Date.now() + 10_000);
      expect(await codeOf(tokens.verify(token))).toBe(ErrorCode.UNAUTHENTICATED);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a malformed header', async () => {
    expect(await codeOf(auth.authenticate('Basic abc'))).toBe(ErrorCode.UNAUTHENTICATED);
  });
});

describe('key rotation', () => {
  const previous = generateSigningJwk('user');
  const current = generateSigningJwk('user');
  const before = TokenService.fromConfig(loadConfig({ AUTH_SIGNING_KEY: JSON.stringify(previous) }, {}));

  it('accepts the previous key while the current one signs, and refuses it once retired', async () => {
    const during = TokenService.fromConfig(
      loadConfig(
        {
          AUTH_SIGNING_KEY: JSON.stringify(current),
          AUTH_VERIFY_KEYS: JSON.stringify({ keys: [publicJwk(previous)] }),
        },
        {},
      ),
    );
    const old = await before.sign({ role: 'member', sub: 'm1' });
    const fresh = await during.sign({ role: 'member', sub: 'm1' });
    expect(await during.verify(old)).toEqual({ role: 'member', sub: 'm1' });
    expect(await during.verify(fresh)).toEqual({ role: 'member', sub: 'm1' });
    expect(during.userJwks.keys.map((k) => k.kid)).toEqual([current.kid, previous.kid]);

    const after = TokenService.fromConfig(loadConfig({ AUTH_SIGNING_KEY: JSON.stringify(current) }, {}));
    expect(await after.verify(fresh)).toEqual({ role: 'member', sub: 'm1' });
    expect(await codeOf(after.verify(old))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('lets a process with public keys only verify but not mint', async () => {
    const verifier = TokenService.fromConfig(
      loadConfig({ AUTH_VERIFY_KEYS: JSON.stringify({ keys: [publicJwk(previous)] }) }, {}),
    );
    expect(await verifier.verify(await before.sign({ role: 'admin', sub: 'a' }))).toMatchObject({
      role: 'admin',
    });
    await expect(verifier.sign({ role: 'admin', sub: 'a' })).rejects.toThrow(/cannot mint/);
    await expect(verifier.signService('ledger')).rejects.toThrow(/AUTH_SERVICE_SIGNING_KEY/);
  });
});

describe('token settings', () => {
  it.each<[string, Record<string, string>, string]>([
    ['production without keys', { NODE_ENV: 'production' }, 'AUTH_VERIFY_KEYS'],
    [
      'production without service keys',
      { NODE_ENV: 'production', AUTH_SIGNING_KEY: JSON.stringify(generateSigningJwk('user')) },
      'AUTH_SERVICE_VERIFY_KEYS',
    ],
    ['a key that is not JSON', { AUTH_SIGNING_KEY: 'secret' }, 'must be JSON'],
    [
      'an RSA or HMAC key',
      { AUTH_SIGNING_KEY: JSON.stringify({ kty: 'oct', k: 'abc', kid: 'k' }) },
      'AUTH_SIGNING_KEY',
    ],
    ['a signing key without d', { AUTH_SIGNING_KEY: JSON.stringify(publicJwk(userKey)) }, 'AUTH_SIGNING_KEY'],
    [
      'a private key in a verification set',
      { AUTH_VERIFY_KEYS: JSON.stringify({ keys: [userKey] }) },
      'public key',
    ],
    [
      'one key id for user and service keys',
      {
        AUTH_SIGNING_KEY: JSON.stringify(userKey),
        AUTH_SERVICE_VERIFY_KEYS: JSON.stringify({ keys: [publicJwk(userKey)] }),
      },
      'used for user tokens too',
    ],
    ['half an OIDC provider', { AUTH_JWKS_URL: 'http://127.0.0.1:1/jwks' }, 'set together'],
  ])('refuses %s', (_case, env, message) => {
    expect(() => loadConfig(env, {})).toThrow(ConfigError);
    expect(() => loadConfig(env, {})).toThrow(message);
  });

  it('reads an empty variable (KEY= in a compose file) as unset', () => {
    const c = loadConfig(
      { AUTH_SIGNING_KEY: JSON.stringify(userKey), AUTH_VERIFY_KEYS: '', AUTH_JWKS_URL: '' },
      {},
    );
    expect(c.env.AUTH_VERIFY_KEYS).toBeUndefined();
    expect(c.env.AUTH_JWKS_URL).toBeUndefined();
  });

  it('refuses a public key that is not a point of the curve at start', () => {
    const bad = { ...publicJwk(userKey), x: generateSigningJwk('user').x.replace(/^./, 'A') };
    expect(() =>
      loadTokenKeys(loadConfig({ AUTH_VERIFY_KEYS: JSON.stringify({ keys: [bad] }) }, {})),
    ).toThrow();
  });

  it('makes development keys under DATA_DIR once and shares them (no set-up outside production)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loyalty-keys-'));
    try {
      const dev = loadConfig({ DATA_DIR: join(dir, 'data') }, {});
      const first = loadTokenKeys(dev);
      const file = join(dir, 'data', DEVELOPMENT_KEYS_FILE);
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const again = loadTokenKeys(dev);
      expect(again.user.signing?.kid).toBe(first.user.signing?.kid);
      expect(first.service.signing?.kid).not.toBe(first.user.signing?.kid);
      expect(readFileSync(file, 'utf8')).toContain(first.service.signing!.kid);
      const token = await new TokenService(first).sign({ role: 'admin', sub: 'a' });
      expect(await new TokenService(again).verify(token)).toMatchObject({ role: 'admin' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Authenticator', () => {
  it('asks bearer resolvers first, then verifies JWTs', async () => {
    const seen: string[] = [];
    const withKeys = Authenticator.fromConfig(config, tokens, [
      {
        resolve: async (secret) => {
          seen.push(secret);
          return secret === 'pk_live_1' ? { role: 'partner', sub: 'key:1', merchantId: 'shop' } : null;
        },
      },
    ]);
    expect(await withKeys.authenticate('Bearer pk_live_1')).toEqual({
      role: 'partner',
      sub: 'key:1',
      merchantId: 'shop',
    });
    const admin = await tokens.sign({ role: 'admin', sub: 'a' });
    expect(await withKeys.authenticate(`Bearer ${admin}`)).toMatchObject({ role: 'admin' });
    expect(await codeOf(withKeys.authenticate('Bearer pk_live_2'))).toBe(ErrorCode.UNAUTHENTICATED);
    expect(seen).toEqual(['pk_live_1', admin, 'pk_live_2']);
  });
});
