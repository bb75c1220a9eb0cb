import { randomUUID } from 'node:crypto';
import {
  ApiKeyResolver,
  Authenticator,
  ErrorCode,
  hashApiKeySecret,
  InProcessTransport,
  newApiKeySecret,
  TokenService,
  Topics,
  type ApiKeyRecord,
} from '../src';
import { testConfig } from '@loyalty/testing';

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: { extensions?: { code?: string } }) => e.extensions?.code,
  );

describe('ApiKeyResolver', () => {
  const secret = newApiKeySecret();
  const record: ApiKeyRecord = { keyId: 'k1', merchantId: 'm1' };
  let now = 0;
  let lookups = 0;
  let live = true;
  const resolver = () =>
    new ApiKeyResolver(
      async (hash) => {
        lookups += 1;
        return live && hash === hashApiKeySecret(secret) ? record : null;
      },
      { ttlMs: 3000, now: () => now },
    );
  beforeEach(() => {
    now = 0;
    lookups = 0;
    live = true;
  });

  it('turns a live key into a partner of its merchant, asking once per TTL', async () => {
    const keys = resolver();
    const principal = { role: 'partner', sub: 'apikey:k1', merchantId: 'm1', apiKeyId: 'k1' };
    const answers = await Promise.all([keys.resolve(secret), keys.resolve(secret), keys.resolve(secret)]);
    expect(answers).toEqual([principal, principal, principal]);
    expect(lookups).toBe(1);
    now = 2999;
    await keys.resolve(secret);
    expect(lookups).toBe(1);
    // After the TTL the owner is asked again: a revocation whose event was lost still counts.
    live = false;
    now = 3001;
    expect(await codeOf(keys.resolve(secret))).toBe(ErrorCode.UNAUTHENTICATED);
    expect(lookups).toBe(2);
  });

  it('leaves credentials that are not API keys to JWT verification', async () => {
    expect(await resolver().resolve('eyJhbGciOi.x.y')).toBeNull();
    expect(await codeOf(resolver().resolve('lpk_unknown'))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('forgets a key at once when its revocation event arrives', async () => {
    const transport = new InProcessTransport();
    const keys = resolver();
    const stop = await keys.listen(transport);
    await keys.resolve(secret);
    await transport.publish([
      {
        id: randomUUID(),
        topic: Topics.partnerApiKeyRevoked,
        key: 'k1',
        payload: { keyId: 'k1', merchantId: 'm1', revokedAt: new Date().toISOString() },
        occurredAt: new Date().toISOString(),
        source: 'members',
      },
    ]);
    // Within the TTL, and even if the owner still answered with the key (a lookup in flight).
    expect(await codeOf(keys.resolve(secret))).toBe(ErrorCode.UNAUTHENTICATED);
    await stop();
    await transport.close();
  });

  const config = testConfig();

  it('is tried before JWT verification by the Authenticator', async () => {
    const tokens = TokenService.fromConfig(config);
    const auth = Authenticator.fromConfig(config, tokens).use(resolver());
    expect(await auth.authenticate(`Bearer ${secret}`)).toMatchObject({ merchantId: 'm1' });
    const jwt = await tokens.sign({ role: 'admin', sub: 'ops' });
    expect(await auth.authenticate(`Bearer ${jwt}`)).toEqual({ role: 'admin', sub: 'ops' });
    expect(await auth.authenticate(undefined)).toBeNull();
    expect(await codeOf(auth.authenticate('Bearer lpk_revoked'))).toBe(ErrorCode.UNAUTHENTICATED);
  });
});
