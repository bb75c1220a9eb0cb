import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { hashApiKeySecret, SERVICE_NAMES, type PlatformConfig } from '@loyalty/platform';
import { eventually, onRedis, testConfig } from '@loyalty/testing';
import { useGraph } from '../support/graph';
import {
  answersEverywhere,
  CREATE_KEY,
  socketWith,
  newKey,
  newMember,
  newMerchant,
  ok,
  RECORD,
} from './support';

const KEYS = `query($m: ID!) { partnerApiKeys(merchantId: $m) { id name prefix lastUsedAt revokedAt } }`;
const REVOKE = `mutation($id: ID!) { revokePartnerApiKey(id: $id) { id revokedAt } }`;

/** Every endpoint (gateway and the five subgraphs) answers `code`. */
const everywhere = (code: string) => ['gateway', ...SERVICE_NAMES].map((name) => ({ name, code }));

/** One graphql-ws request with the key in connection_init; resolves with the answer or the close. */
function overSocket(url: string, secret: string, query: string, variables: Record<string, unknown>) {
  return new Promise<{ data?: unknown; errors?: unknown; closed?: number }>((resolve) => {
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${secret}` },
      retryAttempts: 0,
      on: { closed: (e) => resolve({ closed: (e as { code: number }).code }) },
    });
    client.subscribe(
      { query, variables },
      {
        next: (value) => {
          resolve(value as { data?: unknown; errors?: unknown });
          void client.dispose();
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
  });
}

function apiKeySuite(title: string, config: PlatformConfig) {
  describe(title, () => {
    const g = useGraph(config);

    it('acts as a partner of its merchant on HTTP and WebSocket, and is stored only as a hash', async () => {
      const merchant = await newMerchant(g);
      const other = await newMerchant(g, 'Book Shop');
      const created = (await ok(g, CREATE_KEY, { merchantId: merchant, name: 'till 1' }, g.tokens.admin()))
        .createPartnerApiKey;
      expect(created.secret).toMatch(/^lpk_[A-Za-z0-9_-]{43}$/);
      expect(created.secret.startsWith(created.key.prefix)).toBe(true);
      expect(created.key).toMatchObject({ name: 'till 1', merchant: { id: merchant }, revokedAt: null });

      // The secret is nowhere in the members database; its SHA-256 is.
      const db = g.graph().services.members!.runtime.db.dataSource;
      const [row] = await db.query('SELECT * FROM partner_api_keys WHERE id = ?', [created.key.id]);
      expect(JSON.stringify(row)).not.toContain(created.secret);
      expect(row.secretHash).toBe(hashApiKeySecret(created.secret));

      // It records purchases for its own merchant, and only for it.
      const member = await newMember(g);
      const own = await g.gql(
        RECORD,
        { input: { merchantId: merchant, memberId: member, orderId: 'K-1', amount: 1000 } },
        created.secret,
      );
      expect(own.errors).toBeUndefined();
      const foreign = await g.gql(
        RECORD,
        { input: { merchantId: other, memberId: member, orderId: 'K-2', amount: 1000 } },
        created.secret,
      );
      expect(foreign.errors?.[0].extensions?.code).toBe('FORBIDDEN');

      const socket = await overSocket(g.graph().url, created.secret, KEYS, { m: merchant });
      expect(socket.errors).toBeUndefined();
      expect(socket.data).toEqual({ partnerApiKeys: [expect.objectContaining({ id: created.key.id })] });

      // Uses are written in batches, not per request.
      await eventually(
        async () => (await ok(g, KEYS, { m: merchant }, created.secret)).partnerApiKeys[0].lastUsedAt,
      );
    });

    it('refuses a revoked key within 5 seconds on the gateway and every subgraph', async () => {
      const merchant = await newMerchant(g);
      const key = await newKey(g, merchant);
      // Every process has the key cached as valid before it is revoked.
      const cachedFrom = Date.now();
      expect(await answersEverywhere(g.graph(), key.secret)).toEqual(everywhere('OK'));

      const open = socketWith(g.graph().url, key.secret);
      expect(await open.run(KEYS, { m: merchant })).toMatchObject({
        data: { partnerApiKeys: expect.any(Array) },
      });

      const revoked = await ok(g, REVOKE, { id: key.id }, key.secret);
      expect(revoked.revokePartnerApiKey.revokedAt).toEqual(expect.any(String));
      const at = Date.now();
      await eventually(
        async () =>
          JSON.stringify(await answersEverywhere(g.graph(), key.secret)) ===
          JSON.stringify(everywhere('UNAUTHENTICATED')),
        5000,
        100,
      );
      expect(Date.now() - at).toBeLessThan(5000);
      // Refused before any cached lookup (4 s) could expire: the revocation event evicted them.
      expect(Date.now() - cachedFrom).toBeLessThan(4000);

      const socket = await overSocket(g.graph().url, key.secret, KEYS, { m: merchant });
      expect(socket.closed).toBe(4401);
      // A connection opened before the revocation is closed at its next operation.
      expect(await open.run(KEYS, { m: merchant })).toMatchObject({ closed: 4401 });
      await open.dispose();
      // Revoking again changes nothing.
      const again = await ok(g, REVOKE, { id: key.id }, g.tokens.admin());
      expect(again.revokePartnerApiKey.revokedAt).toBe(revoked.revokePartnerApiKey.revokedAt);
    });

    it("refuses another merchant's keys and bad names, writing nothing", async () => {
      const a = await newMerchant(g, 'A');
      const b = await newMerchant(g, 'B');
      const keyA = await newKey(g, a);
      const keyB = await newKey(g, b);
      const admin = g.tokens.admin();
      // lastUsedAt moves with use; what a refused call could have written is compared.
      const keysOf = async (m: string) =>
        (await ok(g, KEYS, { m }, admin)).partnerApiKeys.map(
          (k: { id: string; name: string; prefix: string; revokedAt: string | null }) => [
            k.id,
            k.name,
            k.prefix,
            k.revokedAt,
          ],
        );
      const before = { a: await keysOf(a), b: await keysOf(b) };

      const createForB = await g.gql(CREATE_KEY, { merchantId: b, name: 'sneaky' }, keyA.secret);
      expect(createForB.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const revokeB = await g.gql(REVOKE, { id: keyB.id }, keyA.secret);
      expect(revokeB.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const listB = await g.gql(KEYS, { m: b }, keyA.secret);
      expect(listB.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const asJwtPartner = await g.gql(REVOKE, { id: keyB.id }, g.tokens.partner(a));
      expect(asJwtPartner.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const blank = await g.gql(CREATE_KEY, { merchantId: a, name: '  ' }, keyA.secret);
      expect(blank.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      const unknownMerchant = await g.gql(CREATE_KEY, { merchantId: 'nope', name: 'x' }, admin);
      expect(unknownMerchant.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      const member = await g.gql(CREATE_KEY, { merchantId: a, name: 'x' }, g.tokens.member('m-1'));
      expect(member.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const anonymous = await g.gql(CREATE_KEY, { merchantId: a, name: 'x' });
      expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

      expect({ a: await keysOf(a), b: await keysOf(b) }).toEqual(before);
      expect(await answersEverywhere(g.graph(), keyB.secret)).toEqual(everywhere('OK'));
      expect(await answersEverywhere(g.graph(), 'lpk_unknown')).toEqual(everywhere('UNAUTHENTICATED'));
    });
  });
}

// The longest cache TTL allowed, so that a refusal sooner than it proves the event path.
const settings = { API_KEY_USAGE_FLUSH: 'PT0.2S', API_KEY_CACHE_TTL: 'PT4S' };

apiKeySuite('partner API keys', testConfig(settings));

// Revocations travel between processes through Redis (pub/sub), as between replicas.
if (onRedis()) apiKeySuite('partner API keys over Redis', testConfig(settings, { redis: true }));
