import { SignJWT } from 'jose';
import {
  Authenticator,
  ErrorCode,
  generateSigningJwk,
  loadConfig,
  TokenService,
  type AppError,
} from '@loyalty/platform';
import { providerKey, startOidcProvider, type OidcProvider, type ProviderKey } from '@loyalty/testing';

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as AppError).code ?? String(e);
  }
  return 'no error';
};

describe("the operator's OpenID Connect provider (JWKS from a real HTTP server)", () => {
  let idp: OidcProvider;
  let rsa1: ProviderKey;
  let ec1: ProviderKey;
  let rsa2: ProviderKey;
  let auth: Authenticator;
  let own: TokenService;

  beforeAll(async () => {
    idp = await startOidcProvider();
    [rsa1, ec1, rsa2] = await Promise.all([
      providerKey('rsa-1', 'RS256'),
      providerKey('ec-1', 'ES256'),
      providerKey('rsa-2', 'RS256'),
    ]);
    idp.publish(rsa1, ec1);
    const config = loadConfig(
      {
        AUTH_SIGNING_KEY: JSON.stringify(generateSigningJwk('user')),
        ...idp.settings(),
        // Refetch at once when an unknown key id shows up (the default waits 30 s between fetches).
        AUTH_JWKS_COOLDOWN: 'PT0S',
        AUTH_OIDC_MAX_TTL: 'PT1H',
      },
      {},
    );
    own = TokenService.fromConfig(config);
    auth = Authenticator.fromConfig(config, own);
  });

  afterAll(() => idp.close());

  it('accepts RS256 and ES256 member tokens, sub as the member id, keys fetched once and cached', async () => {
    const before = idp.fetches();
    expect(await auth.authenticate(`Bearer ${await idp.sign(rsa1, 'member-1')}`)).toEqual({
      role: 'member',
      sub: 'member-1',
    });
    expect(await auth.authenticate(`Bearer ${await idp.sign(ec1, 'member-2')}`)).toEqual({
      role: 'member',
      sub: 'member-2',
    });
    await auth.authenticate(`Bearer ${await idp.sign(rsa1, 'member-3')}`);
    expect(idp.fetches() - before).toBe(1);
  });

  it('never grants more than a member, whatever the claims say', async () => {
    const token = await idp.sign(rsa1, 'member-1', { claims: { role: 'admin', merchantId: 'shop' } });
    expect(await auth.authenticate(`Bearer ${token}`)).toEqual({ role: 'member', sub: 'member-1' });
  });

  it('follows a rotation: a new key id is fetched when it appears, a withdrawn one is refused', async () => {
    const early = await idp.sign(rsa2, 'member-4');
    expect(await codeOf(auth.authenticate(`Bearer ${early}`))).toBe(ErrorCode.UNAUTHENTICATED);
    idp.publish(rsa2, ec1);
    const fetched = idp.fetches();
    expect(await auth.authenticate(`Bearer ${await idp.sign(rsa2, 'member-4')}`)).toEqual({
      role: 'member',
      sub: 'member-4',
    });
    expect(idp.fetches()).toBe(fetched + 1);
    // rsa-1 is gone from the provider's set: jose's cache is the fetched set, so it is refused.
    expect(await codeOf(auth.authenticate(`Bearer ${await idp.sign(rsa1, 'member-1')}`))).toBe(
      ErrorCode.UNAUTHENTICATED,
    );
  });

  it.each<[string, (idp: OidcProvider, key: () => ProviderKey) => Promise<string>]>([
    ['a wrong issuer', (p, k) => p.sign(k(), 'm', { iss: 'https://evil.test/' })],
    ['a wrong audience', (p, k) => p.sign(k(), 'm', { aud: 'another-app' })],
    ['no expiry', (p, k) => p.sign(k(), 'm', { ttlSeconds: null })],
    ['an expired token', (p, k) => p.sign(k(), 'm', { ttlSeconds: -60 })],
    ['a lifetime beyond AUTH_OIDC_MAX_TTL', (p, k) => p.sign(k(), 'm', { ttlSeconds: 7200 })],
    [
      'HS256 under a provider key id',
      (p) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256', kid: 'ec-1' })
          .setSubject('m')
          .setIssuer(p.issuer)
          .setAudience(p.audience)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode('a-shared-secret-of-some-length')),
    ],
  ])('refuses %s', async (_case, make) => {
    const token = await make(idp, () => ec1);
    expect(await codeOf(auth.authenticate(`Bearer ${token}`))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it("still accepts the platform's own tokens, by their key id, without asking the provider", async () => {
    const before = idp.fetches();
    expect(await auth.authenticate(`Bearer ${await own.sign({ role: 'admin', sub: 'ops' })}`)).toEqual({
      role: 'admin',
      sub: 'ops',
    });
    expect(idp.fetches()).toBe(before);
  });

  it('refuses provider tokens when no provider is configured', async () => {
    const plain = Authenticator.fromConfig(
      loadConfig({ AUTH_SIGNING_KEY: JSON.stringify(generateSigningJwk('user')) }, {}),
    );
    expect(await codeOf(plain.authenticate(`Bearer ${await idp.sign(ec1, 'm')}`))).toBe(
      ErrorCode.UNAUTHENTICATED,
    );
  });
});
