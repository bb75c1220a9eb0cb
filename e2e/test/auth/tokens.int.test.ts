import { execFile } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SignJWT, UnsecuredJWT } from 'jose';
import { startGraph, type RunningGraph } from '@loyalty/launcher';
import {
  generateSigningJwk,
  loadConfig,
  publicJwk,
  SERVICE_AUDIENCE,
  TOKEN_ISSUER,
  TokenService,
  USER_AUDIENCE,
  type PlatformConfig,
  type PrivateJwk,
} from '@loyalty/platform';
import {
  graphqlRequest,
  providerKey,
  startOidcProvider,
  testConfig,
  tokensFor,
  type OidcProvider,
} from '@loyalty/testing';

const REPO = join(__dirname, '..', '..', '..');
const ME = '{ me { id } }';
const REGISTER = 'mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }';

/** `pnpm run token` builds first (incremental, but slow on a busy machine). */
const CLI_TIMEOUT_MS = 240_000;

/** `pnpm --silent run token …` as a person types it, in an environment of the test's choosing. */
async function cliToken(args: string[], env: Record<string, string | undefined>): Promise<string> {
  const { stdout } = await promisify(execFile)('pnpm', ['--silent', 'run', 'token', ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    timeout: CLI_TIMEOUT_MS - 10_000,
  });
  return stdout.trim();
}

/** The key set a deployment runs with while rotating: `current` signs, `previous` still verifies. */
const previous = generateSigningJwk('user');
const current = generateSigningJwk('user');
const retired = generateSigningJwk('user');
const serviceKey = generateSigningJwk('service');
const keySettings = {
  AUTH_SIGNING_KEY: JSON.stringify(current),
  AUTH_VERIFY_KEYS: JSON.stringify({ keys: [publicJwk(previous)] }),
  AUTH_SERVICE_SIGNING_KEY: JSON.stringify(serviceKey),
};
const base = testConfig(keySettings);

const now = () => Math.floor(Date.now() / 1000);
const keyOf = (jwk: PrivateJwk) => createPrivateKey({ key: jwk, format: 'jwk' });
/** A member token built by hand: the forgeries vary one thing each. */
function memberToken(
  memberId: string,
  o: { key?: PrivateJwk; kid?: string; role?: string; aud?: string; iat?: number; exp?: number | null } = {},
): Promise<string> {
  const key = o.key ?? current;
  const jwt = new SignJWT({ role: o.role ?? 'member' })
    .setProtectedHeader({ alg: 'ES256', kid: o.kid ?? key.kid })
    .setSubject(memberId)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(o.aud ?? USER_AUDIENCE)
    .setIssuedAt(o.iat ?? now());
  if (o.exp !== null) jwt.setExpirationTime(o.exp ?? now() + 600);
  return jwt.sign(keyOf(key));
}

describe('tokens at the gateway and on a subgraph port', () => {
  let idp: OidcProvider;
  let config: PlatformConfig;
  let graph: RunningGraph;
  let memberId: string;
  /** Asks `{ me { id } }` at the gateway and straight at the members subgraph. */
  let both: (token: string) => Promise<{ gateway: string; subgraph: string }>;

  beforeAll(async () => {
    idp = await startOidcProvider();
    config = loadConfig({ ...base.source, ...idp.settings(), AUTH_JWKS_COOLDOWN: 'PT0S' }, {});
    graph = await startGraph({ config, ephemeralPorts: true });
    const outcome = async (url: string, token: string) => {
      const res = await graphqlRequest(url, ME, {}, token);
      return res.errors?.[0]?.extensions?.code ?? (res.data?.me?.id as string);
    };
    both = async (token) => ({
      gateway: await outcome(graph.url, token),
      subgraph: await outcome(graph.services.members!.url, token),
    });
    const reg = await graphqlRequest(graph.url, REGISTER, {
      input: { displayName: 'Wang Fang', email: 'wf@example.com' },
    });
    memberId = reg.data!.registerMember.id;
  });
  afterAll(async () => {
    await graph?.stop();
    await idp?.close();
  });

  it('accepts the current and the previous key during a rotation, and refuses a retired one', async () => {
    const during = { gateway: memberId, subgraph: memberId };
    expect(await both(tokensFor(config).member(memberId))).toEqual(during);
    expect(await both(await memberToken(memberId, { key: previous }))).toEqual(during);
    expect(await both(await memberToken(memberId, { key: retired }))).toEqual({
      gateway: 'UNAUTHENTICATED',
      subgraph: 'UNAUTHENTICATED',
    });
  });

  it.each<[string, () => Promise<string>]>([
    [
      'HS256 with the old development secret',
      () =>
        new SignJWT({ role: 'member' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('m')
          .setIssuer(TOKEN_ISSUER)
          .setAudience(USER_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(new TextEncoder().encode('loyalty-development-secret-change-me')),
    ],
    [
      'alg none',
      async () =>
        new UnsecuredJWT({ role: 'member' })
          .setSubject('m')
          .setIssuer(TOKEN_ISSUER)
          .setAudience(USER_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('10m')
          .encode(),
    ],
    ['a wrong key id', () => memberToken('m', { kid: 'user-2020-01-01-00000000' })],
    ['a stranger key under the current key id', () => memberToken('m', { key: retired, kid: current.kid })],
    ['an expired token', () => memberToken('m', { iat: now() - 900, exp: now() - 60 })],
    ['no expiry', () => memberToken('m', { exp: null })],
    ['a lifetime beyond the member maximum', () => memberToken('m', { exp: now() + 2 * 3600 })],
    [
      'a service token signed with the user key',
      () => memberToken('ledger', { role: 'service', aud: SERVICE_AUDIENCE, exp: now() + 60 }),
    ],
    [
      'an admin token signed with the service key',
      () => memberToken('ops', { key: serviceKey, role: 'admin' }),
    ],
  ])('refuses %s with UNAUTHENTICATED', async (_case, forge) => {
    expect(await both(await forge())).toEqual({ gateway: 'UNAUTHENTICATED', subgraph: 'UNAUTHENTICATED' });
  });

  it('accepts a service token of the service key on a subgraph (it authenticates; `me` is for members)', async () => {
    const service = await TokenService.fromConfig(config).signService('campaigns');
    expect((await both(service)).subgraph).toBe('FORBIDDEN');
  });

  it('accepts the partner credentials issuePartnerToken signs, up to a year', async () => {
    const admin = tokensFor(config).admin();
    const merchant = await graphqlRequest(
      graph.url,
      'mutation { createMerchant(input: { name: "Noodle Bar", category: "dining" }) { id } }',
      {},
      admin,
    );
    const merchantId = merchant.data!.createMerchant.id as string;
    const issued = await graphqlRequest(
      graph.url,
      'mutation($m: ID!) { issuePartnerToken(merchantId: $m, validDays: 366) }',
      { m: merchantId },
      admin,
    );
    const partner = issued.data!.issuePartnerToken as string;
    expect(await TokenService.fromConfig(config).verify(partner)).toEqual({
      role: 'partner',
      sub: `partner:${merchantId}`,
      merchantId,
    });
    // Authenticated as a partner: `me` is for members only.
    expect(await both(partner)).toEqual({ gateway: 'FORBIDDEN', subgraph: 'FORBIDDEN' });
  });

  it("accepts member tokens of the operator's OpenID Connect provider, following its key rotation", async () => {
    const first = await providerKey('idp-rsa-1', 'RS256');
    idp.publish(first);
    const token = await idp.sign(first, memberId);
    expect(await both(token)).toEqual({ gateway: memberId, subgraph: memberId });

    const next = await providerKey('idp-ec-2', 'ES256');
    idp.publish(first, next);
    expect(await both(await idp.sign(next, memberId))).toEqual({ gateway: memberId, subgraph: memberId });

    for (const wrong of [
      await idp.sign(first, memberId, { iss: 'https://elsewhere.test/' }),
      await idp.sign(first, memberId, { aud: 'another-client' }),
      await idp.sign(first, memberId, { ttlSeconds: null }),
    ]) {
      expect(await both(wrong)).toEqual({ gateway: 'UNAUTHENTICATED', subgraph: 'UNAUTHENTICATED' });
    }
  });

  it(
    "accepts the token CLI's tokens signed with AUTH_SIGNING_KEY",
    async () => {
      const token = await cliToken(['member', memberId], { ...keySettings, NODE_ENV: 'development' });
      expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(await both(token)).toEqual({ gateway: memberId, subgraph: memberId });
    },
    CLI_TIMEOUT_MS,
  );
});

describe('the embedded default: no key settings', () => {
  const dev = testConfig();
  let config: PlatformConfig;
  let graph: RunningGraph;

  beforeAll(async () => {
    // Nothing configured: the platform makes its keys under DATA_DIR, and the CLI finds them there.
    config = loadConfig(
      { ...dev.source, AUTH_SIGNING_KEY: undefined, AUTH_SERVICE_SIGNING_KEY: undefined },
      {},
    );
    graph = await startGraph({ config, ephemeralPorts: true, services: ['members'] });
  });
  afterAll(() => graph?.stop());

  it(
    'accepts what `pnpm --silent run token` prints, at the gateway and on the subgraph',
    async () => {
      const env = { DATA_DIR: config.env.DATA_DIR, NODE_ENV: 'development' };
      const admin = await cliToken(['admin'], env);
      const created = await graphqlRequest(
        graph.url,
        'mutation { createMerchant(input: { name: "Tea House", category: "dining" }) { id } }',
        {},
        admin,
      );
      expect(created.errors).toBeUndefined();
      const reg = await graphqlRequest(graph.services.members!.url, REGISTER, {
        input: { displayName: 'Li', email: 'li@example.com' },
      });
      const id = reg.data!.registerMember.id as string;
      const member = await cliToken(['member', id], env);
      const me = await graphqlRequest(graph.services.members!.url, ME, {}, member);
      expect(me.data?.me).toEqual({ id });
      // Another deployment's keys are not these.
      const stranger = await new TokenService({
        user: { signing: { kid: 'user-x', key: keyOf(generateSigningJwk('user')) }, verify: [] },
        service: { signing: null, verify: [] },
      }).sign({ role: 'admin', sub: 'a' });
      const refused = await graphqlRequest(graph.url, ME, {}, stranger);
      expect(refused.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    },
    CLI_TIMEOUT_MS,
  );
});
