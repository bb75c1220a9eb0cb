import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql, parse, type GraphQLSchema } from 'graphql';
import { PeerDirectory } from '@loyalty/platform';
import { eventually, graphqlRequest, testConfig, tokensFor } from '@loyalty/testing';
import { composeSupergraph } from '../src/compose';
import { AuthForwardingDataSource } from '../src/auth-forwarding-data-source';
import { startGateway, type RunningGateway } from '../src/gateway';

/**
 * Subgraph fetches per gateway request, counted where they arrive: two real subgraphs on
 * ephemeral ports that hold every request until the test opens the gate, so "concurrent" is
 * a fact, not a race.
 */

const SHOP = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { products: [Product!]! }
  type Mutation { touch: Int! }
  type Product @key(fields: "id") { id: ID! merchant: Merchant! }
  type Merchant @key(fields: "id", resolvable: false) { id: ID! }
`;
const DIRECTORY = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Merchant @key(fields: "id") { id: ID! name: String! }
  type Query { merchantCount: Int! }
`;

interface Received {
  query: string;
  variables: Record<string, unknown>;
  authorization: string | undefined;
}

/** A subgraph that records each request and answers only when the gate is open. */
function gatedSubgraph(schema: GraphQLSchema) {
  const received: Received[] = [];
  let open: () => void = () => undefined;
  let gate = Promise.resolve();
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<Received, 'authorization'>;
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await read(req);
      received.push({ ...body, authorization: req.headers.authorization });
      await gate;
      const result = await graphql({ schema, source: body.query, variableValues: body.variables });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(result));
    })();
  });
  return {
    received,
    server,
    close: () => {
      open();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
    /** Holds requests from now on until `release()`. */
    hold() {
      gate = new Promise<void>((r) => (open = r));
    },
    release: () => open(),
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`),
        ),
      ),
  };
}

let touches = 0;
const shop = gatedSubgraph(
  buildSubgraphSchema({
    typeDefs: parse(SHOP),
    resolvers: {
      Query: {
        products: () => Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, merchant: { id: 'm1' } })),
      },
      Mutation: { touch: () => ++touches },
    } as never,
  }),
);
const directory = gatedSubgraph(
  buildSubgraphSchema({
    typeDefs: parse(DIRECTORY),
    resolvers: {
      Query: { merchantCount: () => 1 },
      Merchant: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: `Merchant ${ref.id}` }) },
    } as never,
  }),
);

const config = testConfig();
const tokens = tokensFor(config);
let gateway: RunningGateway;
let shopUrl: string;

beforeAll(async () => {
  shopUrl = await shop.listen();
  const directoryUrl = await directory.listen();
  const peers = PeerDirectory.fromConfig(config);
  // The gateway names data sources by subgraph: borrow two service names for the stubs.
  peers.set('members', shopUrl);
  peers.set('ledger', directoryUrl);
  const supergraphSdl = composeSupergraph([
    { name: 'members', url: shopUrl, sdl: SHOP },
    { name: 'ledger', url: directoryUrl, sdl: DIRECTORY },
  ]);
  gateway = await startGateway({ config, peers, supergraphSdl, port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await gateway?.stop();
  await shop.close();
  await directory.close();
});

beforeEach(() => {
  shop.received.length = 0;
  directory.received.length = 0;
});

const requested = () => gateway.subgraphStats().members?.requested ?? 0;

/** Fires `n` requests while the shop holds its answers; releases once all reached the data source. */
async function concurrently(n: number, query: string, token: (i: number) => string) {
  shop.hold();
  const start = requested();
  const results = Array.from({ length: n }, (_, i) => graphqlRequest(gateway.url, query, {}, token(i)));
  await eventually(async () => requested() - start >= n);
  shop.release();
  return Promise.all(results);
}

describe('subgraph fetches per gateway request', () => {
  it('sends N identical concurrent queries as one fetch, and every caller gets the whole answer', async () => {
    const member = tokens.member('m-1');
    const results = await concurrently(8, '{ products { id } }', () => member);
    expect(shop.received).toHaveLength(1);
    for (const r of results) {
      expect(r.errors).toBeUndefined();
      expect(r.data?.products).toHaveLength(10);
    }
  });

  it('never shares a fetch between callers with different authorization', async () => {
    const results = await concurrently(2, '{ products { id } }', (i) => tokens.member(`m-${i}`));
    expect(shop.received).toHaveLength(2);
    expect(new Set(shop.received.map((r) => r.authorization)).size).toBe(2);
    expect(results.every((r) => r.data?.products.length === 10)).toBe(true);
  });

  it("never lets a live event's resolution join a fetch already in flight", async () => {
    // The fetch in flight may have read before the event: the event's own fetch must read after it.
    const source = new AuthForwardingDataSource({
      name: 'members',
      url: shopUrl,
      vouch: async () => 'test',
    });
    const member = `Bearer ${tokens.member('m-1')}`;
    shop.hold();
    const first = source.fetch('{ products { id } }', {}, { authorization: member });
    const live = source.fetch('{ products { id } }', {}, { authorization: member, fresh: true });
    await eventually(async () => shop.received.length >= 2);
    shop.release();
    await Promise.all([first, live]);
    expect(source.stats).toMatchObject({ requested: 2, sent: 2 });
    await source.close();
  });

  it('never deduplicates mutations', async () => {
    const admin = tokens.admin();
    shop.hold();
    const results = Array.from({ length: 4 }, () =>
      graphqlRequest(gateway.url, 'mutation { touch }', {}, admin),
    );
    await eventually(async () => shop.received.length >= 4);
    shop.release();
    const answers = (await Promise.all(results)).map((r) => r.data?.touch as number);
    expect(shop.received).toHaveLength(4);
    expect(new Set(answers).size).toBe(4);
  });

  it('sends identical entity representations once and fans the result back out', async () => {
    const res = await graphqlRequest(
      gateway.url,
      '{ products { id merchant { name } } }',
      {},
      tokens.admin(),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.products).toHaveLength(10);
    expect(
      res.data?.products.every((p: { merchant: { name: string } }) => p.merchant.name === 'Merchant m1'),
    ).toBe(true);
    expect(directory.received).toHaveLength(1);
    expect(directory.received[0].variables.representations).toEqual([{ __typename: 'Merchant', id: 'm1' }]);
    expect(gateway.subgraphStats().ledger).toMatchObject({ representations: 10, representationsSent: 1 });
  });
});
