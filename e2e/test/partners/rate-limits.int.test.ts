import { startGateway, type RunningGateway } from '@loyalty/gateway';
import { onRedis, testConfig } from '@loyalty/testing';
import type { PlatformConfig } from '@loyalty/platform';
import { useGraph } from '../support/graph';
import { newKey, newMerchant, socketWith } from './support';

/** A raw POST, to see the HTTP status and headers. */
async function post(url: string, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    code: body.errors?.[0]?.extensions?.code,
  };
}

const limits = { RATE_LIMIT_ANONYMOUS: '3', RATE_LIMIT_PARTNER: '5', RATE_LIMIT_WINDOW: 'PT1M' };

function rateLimitSuite(title: string, config: PlatformConfig) {
  describe(title, () => {
    let second: RunningGateway | undefined;
    const g = useGraph(config, undefined, async () => {
      await second?.stop();
    });

    it('limits each partner key on its own, answering LIMIT_REACHED with Retry-After', async () => {
      // The admin is not limited: set-up requests spend nothing.
      const merchant = await newMerchant(g);
      const [a, b] = [await newKey(g, merchant), await newKey(g, merchant)];
      for (let i = 0; i < 5; i++) expect(await post(g.graph().url, a.secret)).toMatchObject({ status: 200 });
      const over = await post(g.graph().url, a.secret);
      expect(over).toMatchObject({ status: 429, code: 'LIMIT_REACHED' });
      expect(Number(over.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(over.retryAfter)).toBeLessThanOrEqual(60);
      // Another key of the same merchant has its own budget; health checks spend none.
      expect(await post(g.graph().url, b.secret)).toMatchObject({ status: 200, code: undefined });
      const health = await fetch(g.graph().url.replace(/\/graphql$/, '/health/live'));
      expect(health.status).toBe(200);
    });

    it('counts operations over a WebSocket against the same key budget', async () => {
      const merchant = await newMerchant(g);
      const key = await newKey(g, merchant);
      const socket = socketWith(g.graph().url, key.secret);
      try {
        for (let i = 0; i < 4; i++)
          expect(await socket.run('{ __typename }', {})).toEqual({ data: { __typename: 'Query' } });
        expect(await post(g.graph().url, key.secret)).toMatchObject({ status: 200 });
        const over = (await socket.run('{ __typename }', {})) as {
          errors?: { extensions?: { code?: string } }[];
        };
        expect(over.errors?.[0]?.extensions?.code).toBe('LIMIT_REACHED');
        expect(await post(g.graph().url, key.secret)).toMatchObject({ status: 429 });
      } finally {
        await socket.dispose();
      }
    });

    it('limits anonymous clients, and callers with a bad credential spend the same budget', async () => {
      expect(await post(g.graph().url)).toMatchObject({ status: 200 });
      expect(await post(g.graph().url, 'lpk_not-a-key')).toMatchObject({ code: 'UNAUTHENTICATED' });
      if (config.env.REDIS_URL) {
        // A second gateway replica spends from the same budget.
        second = await startGateway({
          config,
          peers: g.graph().peers,
          transport: g.graph().transport,
          port: 0,
        });
        expect(await post(second.url)).toMatchObject({ status: 200 });
      } else {
        expect(await post(g.graph().url)).toMatchObject({ status: 200 });
      }
      const over = await post(g.graph().url);
      expect(over).toMatchObject({ status: 429, code: 'LIMIT_REACHED' });
      if (second) expect(await post(second.url)).toMatchObject({ status: 429, code: 'LIMIT_REACHED' });
      // Members and the operator have no such budget.
      expect(await post(g.graph().url, g.tokens.admin())).toMatchObject({ status: 200 });
    });
  });
}

rateLimitSuite('gateway rate limits', testConfig(limits));
if (onRedis())
  rateLimitSuite('gateway rate limits shared through Redis', testConfig(limits, { redis: true }));
