import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '@loyalty/testing';
import { AuthForwardingDataSource } from '../src/auth-forwarding-data-source';
import { publicMaxAge } from '../src/public-answers';

/**
 * Answers a subgraph declared public are reused for any caller, for as long as it said and no
 * longer than the gateway's ceiling, and never across a mutation: against a real HTTP subgraph
 * that numbers its answers, with the cache's clock in the test's hands.
 */

let answered = 0;
/** The `Cache-Control` the subgraph sends next. */
let cacheControl: string | undefined;
/** Held answers wait for `release()`. */
let gate: Promise<void> = Promise.resolve();
let release: () => void = () => undefined;
const received: { body: string; authorization?: string }[] = [];

const server: Server = createServer((req, res) => {
  void (async () => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    received.push({ body, authorization: req.headers.authorization });
    const header = cacheControl;
    await gate;
    if (header) res.setHeader('cache-control', header);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ data: { n: ++answered } }));
  })();
});
let url = '';
let now = 0;
let source: AuthForwardingDataSource;

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  received.length = 0;
  cacheControl = 'max-age=10, public';
  now = 1_000_000;
  source = new AuthForwardingDataSource({
    name: 'catalog',
    url,
    vouch: async () => 'gateway-token',
    publicAnswers: { maxEntries: 2, maxAgeCeilingSeconds: 60, now: () => now },
  });
});

afterEach(() => source.close());

const LIST = '{ rewards { id } }';
const n = async (answer: Promise<{ data?: unknown }>) => (await answer).data as { n: number };
const as = (who: string) => ({ authorization: `Bearer ${who}` });

describe('publicMaxAge', () => {
  it.each([
    ['max-age=10, public', 10],
    ['public, max-age=10, s-maxage=30', 30],
    ['max-age=10', 0],
    ['max-age=10, private', 0],
    ['max-age=10, public, no-store', 0],
    ['max-age=0, public', 0],
    ['no-cache', 0],
    [undefined, 0],
  ])('%s → %i s', (header, seconds) => {
    expect(publicMaxAge(header)).toBe(seconds);
  });
});

describe("a subgraph's public answers", () => {
  it('answer every caller for the max-age the subgraph gave, then are fetched again', async () => {
    const first = await n(source.fetch(LIST, {}, as('member-1')));
    expect(await n(source.fetch(LIST, {}, as('member-2')))).toEqual(first);
    expect(await n(source.fetch(LIST, {}, {}))).toEqual(first);
    now += 10_000;
    expect(await n(source.fetch(LIST, {}, as('partner')))).toEqual(first);
    now += 1;
    expect((await n(source.fetch(LIST, {}, as('member-2')))).n).toBe(first.n + 1);
    expect(received).toHaveLength(2);
    expect(source.stats).toMatchObject({ requested: 5, sent: 2, cached: 3 });
  });

  it('are kept no longer than the gateway allows, nor beyond the most it holds', async () => {
    cacheControl = 'max-age=3600, public';
    await source.fetch(LIST, {}, as('a'));
    now += 60_001;
    await source.fetch(LIST, {}, as('a'));
    expect(received).toHaveLength(2);
    // Two answers held: a third query pushes out the least recently used.
    await source.fetch('{ a }', {}, as('a'));
    await source.fetch('{ b }', {}, as('a'));
    await source.fetch('{ b }', {}, as('a'));
    await source.fetch('{ a }', {}, as('a'));
    await source.fetch(LIST, {}, as('a'));
    expect(received.map((r) => JSON.parse(r.body).query)).toEqual([LIST, LIST, '{ a }', '{ b }', LIST]);
  });

  it('hold no more characters than allowed, all answers together', async () => {
    // Each answer is 16 characters (`{"data":{"n":1}}`): two fit in 40, a third pushes one out.
    const small = new AuthForwardingDataSource({
      name: 'catalog',
      url,
      vouch: async () => 'gateway-token',
      publicAnswers: { maxEntries: 100, maxChars: 40, maxAgeCeilingSeconds: 60, now: () => now },
    });
    for (const q of ['{ a }', '{ b }', '{ c }', '{ c }', '{ b }', '{ a }']) await small.fetch(q, {}, as('a'));
    expect(received.map((r) => JSON.parse(r.body).query)).toEqual(['{ a }', '{ b }', '{ c }', '{ a }']);
    await small.close();
  });

  it('are not kept when the subgraph did not say public, and differ by language', async () => {
    for (const [i, header] of ['max-age=10, private', undefined, 'no-store'].entries()) {
      cacheControl = header;
      await source.fetch(`{ q${i} }`, {}, as('a'));
      await source.fetch(`{ q${i} }`, {}, as('a'));
    }
    expect(received).toHaveLength(6);
    cacheControl = 'max-age=10, public';
    await source.fetch(LIST, {}, { acceptLanguage: 'zh-CN' });
    await source.fetch(LIST, {}, { acceptLanguage: 'en' });
    await source.fetch(LIST, {}, { acceptLanguage: 'zh-CN' });
    expect(received).toHaveLength(8);
  });

  it('are dropped by a mutation, and one read while it ran is not kept', async () => {
    await source.fetch(LIST, {}, as('a'));
    await source.fetch('mutation { touch }', {}, as('admin'));
    expect(received).toHaveLength(2);
    // A read that the subgraph answers while a mutation is in flight may predate its writes.
    gate = new Promise<void>((r) => (release = r));
    const read = source.fetch(LIST, {}, as('b'));
    const write = source.fetch('mutation { touch }', {}, as('admin'));
    await eventually(async () => received.length === 4);
    release();
    gate = Promise.resolve();
    const [before] = await Promise.all([n(read), write]);
    const after = await n(source.fetch(LIST, {}, as('c')));
    expect(after.n).toBeGreaterThan(before.n);
    expect(received).toHaveLength(5);
    expect(await n(source.fetch(LIST, {}, as('d')))).toEqual(after);
    // Nor one that started after the mutation was sent, before it was answered.
    gate = new Promise<void>((r) => (release = r));
    const write2 = source.fetch('mutation { touch }', {}, as('admin'));
    await eventually(async () => received.length === 6);
    const read2 = source.fetch(LIST, {}, as('e'));
    await eventually(async () => received.length === 7);
    release();
    gate = Promise.resolve();
    await Promise.all([write2, read2]);
    await source.fetch(LIST, {}, as('f'));
    expect(received).toHaveLength(8);
  });

  it("are neither used nor kept for a live event's reads or a mutation's", async () => {
    const kept = await n(source.fetch(LIST, {}, as('a')));
    const live = await n(source.fetch(LIST, {}, { ...as('a'), fresh: true }));
    const afterWrite = await n(source.fetch(LIST, {}, { ...as('a'), mutation: true }));
    expect(live.n).toBe(kept.n + 1);
    expect(afterWrite.n).toBe(kept.n + 2);
    expect(await n(source.fetch(LIST, {}, as('b')))).toEqual(kept);
    expect(received).toHaveLength(3);
  });
});
