import { networkInterfaces } from 'node:os';
import { SERVICE_NAMES, type ServiceName } from '@loyalty/platform';
import { graphqlRequest, testConfig } from '@loyalty/testing';
import { useGraph } from '../support/graph';

const METRICS_TOKEN = 'doors-metrics-token-0123456789';

/** A raw POST, to see the HTTP status and the whole body. */
async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: JSON.parse(text) as {
      data?: unknown;
      errors?: { message: string; extensions?: { code?: string } }[];
    },
  };
}

const codes = (r: { json: { errors?: { extensions?: { code?: string } }[] } }) =>
  (r.json.errors ?? []).map((e) => e.extensions?.code);

/** A non-loopback address of this machine, if it has one. */
const outsideAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === 'IPv4')?.address;

describe('the doors around the graph', () => {
  // The gateway listens on every interface (HOST); subgraphs keep the default SUBGRAPH_HOST.
  const { graph, gql, tokens } = useGraph(testConfig({ HOST: '0.0.0.0', METRICS_TOKEN }));
  const subgraph = (name: ServiceName) => graph().services[name]!.url;
  const port = (url: string) => new URL(url).port;

  it('binds subgraphs to loopback while the gateway stays public', async () => {
    for (const name of SERVICE_NAMES) {
      expect((await fetch(subgraph(name).replace(/graphql$/, 'health/live'))).status).toBe(200);
    }
    if (!outsideAddress) return; // no other interface to be reached on
    const gatewayOutside = `http://${outsideAddress}:${port(graph().url)}/health/live`;
    expect((await fetch(gatewayOutside)).status).toBe(200);
    for (const name of SERVICE_NAMES) {
      const outside = `http://${outsideAddress}:${port(subgraph(name))}/health/live`;
      await expect(fetch(outside, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    }
  });

  it.each(SERVICE_NAMES)(
    'answers _service, _entities and introspection on %s only to the gateway and services',
    async (name) => {
      const url = subgraph(name);
      const sdl = { query: '{ _service { sdl } }' };
      const viaFragment = { query: '{ ...F } fragment F on Query { _service { sdl } }' };
      const entities = {
        query: 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
        variables: { r: [{ __typename: 'Member', id: 'x' }] },
      };
      const introspection = { query: '{ __schema { mutationType { fields { name } } } }' };
      for (const body of [sdl, viaFragment, entities, introspection]) {
        const anonymous = await post(url, body);
        expect([anonymous.status, codes(anonymous)]).toEqual([401, ['UNAUTHENTICATED']]);
        for (const token of [tokens.admin(), tokens.member('m-1'), tokens.partner('shop-1')]) {
          const refused = await post(url, body, { authorization: `Bearer ${token}` });
          expect([refused.status, codes(refused)]).toEqual([403, ['FORBIDDEN']]);
          expect(refused.text).not.toMatch(/adjustPoints|creditPoints|internal mutation/i);
        }
      }
      const asService = await graphqlRequest<{ _service: { sdl: string } }>(
        url,
        '{ _service { sdl } }',
        {},
        tokens.service(),
      );
      expect(asService.data?._service.sdl).toContain('type Query');
      // The gateway vouches with its own service token next to the caller's (here: none).
      const vouched = await post(url, sdl, {
        'x-gateway-authorization': `Bearer ${tokens.service('gateway')}`,
      });
      expect(vouched.status).toBe(200);
      const forgedVouch = await post(url, sdl, { 'x-gateway-authorization': `Bearer ${tokens.admin()}` });
      expect(codes(forgedVouch)).toEqual(['UNAUTHENTICATED']);
    },
  );

  it('applies the gateway limits to callers from outside, before the expensive validation', async () => {
    const campaigns = subgraph('campaigns');
    const aliases = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: programTerms { pointsValidity }`).join(' ')} }`;
    const started = Date.now();
    const tooMany = await post(campaigns, { query: aliases });
    expect(Date.now() - started).toBeLessThan(2000);
    expect([tooMany.status, codes(tooMany)]).toEqual([400, ['BAD_USER_INPUT']]);

    const thirtyOne = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: programTerms { pointsValidity }`).join(' ')} }`;
    const aliased = await post(campaigns, { query: thirtyOne });
    expect([aliased.status, codes(aliased)]).toEqual([400, ['BAD_USER_INPUT']]);
    expect(aliased.json.errors?.[0].message).toMatch(/alias/i);

    const deep = `{ me ${'{ a '.repeat(20)}{ id }${' }'.repeat(20)} }`;
    const tooDeep = await post(
      subgraph('members'),
      { query: deep },
      { authorization: `Bearer ${tokens.admin()}` },
    );
    expect([tooDeep.status, codes(tooDeep)]).toEqual([400, ['BAD_USER_INPUT']]);

    const fine = await post(campaigns, { query: '{ programTerms { pointsValidity } }' });
    expect([fine.status, codes(fine)]).toEqual([200, []]);
  });

  it('answers an operationName that matches nothing with 400 BAD_USER_INPUT', async () => {
    for (const body of [
      { query: 'query A { __typename }', operationName: 'Nope' },
      { query: 'query A { __typename } query B { __typename }' },
      { query: '{ programTerms { pointsValidity } }', operationName: 'Missing' },
      { query: 'mutation M { __typename }', operationName: 'Q' },
    ]) {
      const res = await post(graph().url, body);
      expect([res.status, codes(res)]).toEqual([400, ['BAD_USER_INPUT']]);
    }
    const campaigns = await post(subgraph('campaigns'), {
      query: 'query A { __typename }',
      operationName: 'B',
    });
    expect([campaigns.status, codes(campaigns)]).toEqual([400, ['BAD_USER_INPUT']]);
  });

  it('answers an exceeded token limit with 400 BAD_USER_INPUT, at the gateway and at subgraphs', async () => {
    const query = `{ ${Array.from({ length: 2000 }, () => '__typename').join(' ')} }`;
    for (const url of [graph().url, subgraph('ledger')]) {
      const res = await post(url, { query });
      expect([res.status, codes(res)]).toEqual([400, ['BAD_USER_INPUT']]);
    }
  });

  it('never shows a subgraph URL or raw answer, even when a subgraph is down', async () => {
    await graph().stopService('catalog');
    try {
      for (const token of [undefined, tokens.member('m-1'), tokens.admin()]) {
        const res = await post(
          graph().url,
          { query: '{ rewards { edges { node { id } } } }' },
          token ? { authorization: `Bearer ${token}` } : {},
        );
        expect(codes(res)).toEqual(['SERVICE_UNAVAILABLE']);
        expect(res.text).not.toMatch(/127\.0\.0\.1|localhost|http:|ECONNREFUSED|serviceName|"response"/);
      }
    } finally {
      await graph().restartService('catalog');
    }
    // A subgraph refusing a variable (its own 400) is the caller's mistake, relayed with its code.
    const bad = await post(
      graph().url,
      {
        query: 'mutation($i: PurchaseInput!) { recordPurchase(input: $i) { purchase { id } } }',
        variables: {
          i: { merchantId: 'x', orderId: 'o', memberId: 'm', amount: 1, occurredAt: 'yesterday' },
        },
      },
      { authorization: `Bearer ${tokens.admin()}` },
    );
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.text).not.toMatch(/127\.0\.0\.1|localhost|http:|serviceName/);
  });

  it('serves /metrics only to the scraper, with labels bounded by the schema', async () => {
    const metricsUrl = graph().url.replace(/graphql$/, 'metrics');
    expect((await fetch(metricsUrl)).status).toBe(401);
    expect(
      (await fetch(metricsUrl, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
    ).toBe(401);
    for (let i = 0; i < 40; i++) {
      await post(graph().url, { query: `query Op${i}x { programTerms { pointsValidity } }` });
      await post(graph().url, { query: `query Op${i}x { __typename }`, operationName: `Other${i}` });
    }
    const text = await (
      await fetch(metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    const series = text.split('\n').filter((l) => l.startsWith('graphql_operations_total{'));
    expect(text).not.toMatch(/Op\d+x|Other\d+/);
    expect(series.length).toBeLessThan(10);
    expect(text).toMatch(/graphql_operations_total\{[^}]*operation="programTerms"/);
    expect(text).toMatch(/graphql_operations_total\{[^}]*operation="other"/);
    const subgraphMetrics = subgraph('members').replace(/graphql$/, 'metrics');
    expect((await fetch(subgraphMetrics)).status).toBe(401);
  });

  it('keeps answering through the gateway with everything above in place', async () => {
    const res = await gql('{ programTerms { pointsValidity } }');
    expect(res.errors).toBeUndefined();
  });
});
