import { getIntrospectionQuery } from 'graphql';
import { eventually, graphqlRequest, testConfig } from '@loyalty/testing';
import { useGraph } from './support/graph';

const METRICS_TOKEN = 'metrics-token-0123456789';

describe('the graph behind the gateway', () => {
  const { tokens, graph, gql } = useGraph(testConfig({ METRICS_TOKEN }));

  const base = () => graph().url.replace(/\/graphql$/, '');

  it('is ready only while every subgraph is', async () => {
    expect((await fetch(`${base()}/health/live`)).status).toBe(200);
    expect((await fetch(`${base()}/health/ready`)).status).toBe(200);
    await graph().stopService('catalog');
    expect((await fetch(`${base()}/health/ready`)).status).toBe(503);
    await graph().restartService('catalog');
    expect((await fetch(`${base()}/health/ready`)).status).toBe(200);
  });

  it('exposes Prometheus metrics to the scraper', async () => {
    await gql('query Ping { __typename }');
    const text = await (
      await fetch(`${base()}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(text).toMatch(/graphql_operations_total\{[^}]*operation="__typename"/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it("exposes each subgraph's event consumers: what they handled and skipped", async () => {
    const r = await gql(
      'mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }',
      { i: { displayName: 'Counted', email: 'counted@example.com' } },
      tokens.admin(),
    );
    expect(r.errors).toBeUndefined();
    const referrals = graph().services.referrals!;
    const scrape = async () =>
      (
        await fetch(`${referrals.url.replace(/\/graphql$/, '')}/metrics`, {
          headers: { authorization: `Bearer ${METRICS_TOKEN}` },
        })
      ).text();
    // Referrals took the member's registration (its consumer runs after the event leaves members).
    const text = await eventually(async () => {
      const t = await scrape();
      return /events_consumed_total\{[^}]*consumer="referrals\.members"[^}]*outcome="handled"[^}]*\} [1-9]/.test(
        t,
      )
        ? t
        : null;
    });
    expect(text).toMatch(/service="referrals"/);
  });

  it('refuses operations deeper than 15 levels but allows standard introspection', async () => {
    const deep = `{ me ${'{ a '.repeat(15)}{ id }${' }'.repeat(15)} }`;
    const refused = await gql(deep);
    expect(refused.errors?.some((e) => /depth limit of 15/i.test(e.message))).toBe(true);
    expect(refused.errors?.every((e) => e.extensions?.code === 'BAD_USER_INPUT')).toBe(true);
    const shallow = `{ me ${'{ a '.repeat(13)}{ id }${' }'.repeat(13)} }`;
    const notDeep = await gql(shallow);
    expect(notDeep.errors?.some((e) => /depth limit/i.test(e.message))).toBe(false);

    const introspection = await gql(getIntrospectionQuery());
    expect(introspection.errors).toBeUndefined();
    expect(introspection.data?.__schema.queryType.name).toBe('Query');
  });

  it('refuses batched requests and reports bad JSON as BAD_USER_INPUT', async () => {
    const batched = await fetch(graph().url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(batched.status).toBe(400);
    const bad = await fetch(graph().url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(bad.status).toBe(400);
    expect(
      ((await bad.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code,
    ).toBe('BAD_USER_INPUT');
  });

  it('masks internal errors and never leaks stack traces', async () => {
    const res = await gql('{ nope }');
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(res)).not.toMatch(/stacktrace|at Object\./);
  });

  it('resolves 50 member references with one SQL query (DataLoader)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await gql('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', {
        i: { displayName: `M${i}`, email: `m${i}@example.com` },
      });
      ids.push(r.data!.registerMember.id);
    }
    const members = graph().services.members!;
    const entities = async (n: number) => {
      members.runtime.db.queries.reset();
      const res = await graphqlRequest(
        members.url,
        'query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { id displayName } } }',
        { r: ids.slice(0, n).map((id) => ({ __typename: 'Member', id })) },
        tokens.service('ledger'),
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!._entities).toHaveLength(n);
      return members.runtime.db.queries.total;
    };
    expect(await entities(50)).toBe(1);
    expect(await entities(5)).toBe(1);
  });

  it('does not hand member data to anonymous _entities callers', async () => {
    const res = await graphqlRequest(
      graph().services.members!.url,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { id displayName } } }',
      { r: [{ __typename: 'Member', id: 'x' }] },
    );
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
