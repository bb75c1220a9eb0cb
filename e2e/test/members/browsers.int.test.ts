import { useGraph } from '../support/graph';
import { send } from './support/http';

const LOCAL_APP = 'http://localhost:5173';
const ELSEWHERE = 'https://evil.example';

/** A browser app on another origin: CORS preflights, and CSRF prevention for requests that skip them. */
describe('browsers at the gateway', () => {
  const { gql, graph, tokens } = useGraph();
  const members = async () =>
    (await gql('{ members(first: 100) { edges { node { id } } } }', {}, tokens.admin())).data!.members.edges
      .length as number;

  const preflight = (origin: string) =>
    send(graph().url, null, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

  it('answers a preflight from a local app (the default outside production)', async () => {
    const res = await preflight(LOCAL_APP);
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(LOCAL_APP);
    const allowed = String(res.headers['access-control-allow-headers']).split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type']));
    expect(String(res.headers['access-control-allow-methods'])).toContain('POST');
    expect((await preflight('http://127.0.0.1:8080')).headers['access-control-allow-origin']).toBe(
      'http://127.0.0.1:8080',
    );
  });

  it('refuses a preflight from an origin that is not allowed', async () => {
    const res = await preflight(ELSEWHERE);
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('marks answers to allowed origins only', async () => {
    const post = (origin: string) =>
      send(graph().url, JSON.stringify({ query: '{ __typename }' }), {
        headers: { origin, 'content-type': 'application/json' },
      });
    const local = await post(LOCAL_APP);
    expect(local.status).toBe(200);
    expect(local.headers['access-control-allow-origin']).toBe(LOCAL_APP);
    expect(String(local.headers.vary)).toContain('Origin');
    const other = await post(ELSEWHERE);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('blocks cross-site requests that skip the preflight (CSRF), executing nothing', async () => {
    const before = await members();
    const mutation = JSON.stringify({
      query:
        'mutation { registerMember(input: { displayName: "Forged", email: "forged@example.com" }) { id } }',
    });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await send(graph().url, mutation, { headers: { origin: ELSEWHERE, 'content-type': type } });
      expect(res.status).toBe(400);
      expect(res.body).toMatch(/Cross-Site Request Forgery/i);
    }
    const get = await send(`${graph().url}?query=${encodeURIComponent('{ __typename }')}`, null, {
      method: 'GET',
      headers: { origin: ELSEWHERE },
    });
    expect(get.status).toBe(400);
    expect(await members()).toBe(before);
  });
});
