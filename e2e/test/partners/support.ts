import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { RunningGraph } from '@loyalty/launcher';
import { SERVICE_NAMES } from '@loyalty/platform';
import { graphqlRequest } from '@loyalty/testing';
import type { GraphUnderTest } from '../support/graph';

/** Answers a GraphQL call without errors, or fails the test with them. */
export async function ok<T = Record<string, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
  g: Pick<GraphUnderTest, 'gql'>,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const res = await g.gql<T>(query, variables, token);
  if (res.errors) throw new Error(`${query}: ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

export async function newMerchant(g: GraphUnderTest, name = 'Tea House'): Promise<string> {
  const data = await ok(
    g,
    'mutation($name: String!) { createMerchant(input: { name: $name, category: "dining" }) { id } }',
    { name },
    g.tokens.admin(),
  );
  return data.createMerchant.id as string;
}

export async function newMember(g: GraphUnderTest, name = 'Li Lei'): Promise<string> {
  const data = await ok(
    g,
    'mutation($n: String!, $e: String!) { registerMember(input: { displayName: $n, email: $e }) { id } }',
    { n: name, e: `${randomUUID()}@example.com` },
  );
  return data.registerMember.id as string;
}

export const CREATE_KEY = `mutation($merchantId: ID!, $name: String!) {
  createPartnerApiKey(merchantId: $merchantId, name: $name) {
    secret key { id name prefix createdAt lastUsedAt revokedAt merchant { id } }
  }
}`;

export async function newKey(
  g: GraphUnderTest,
  merchantId: string,
  token = g.tokens.admin(),
): Promise<{ id: string; secret: string }> {
  const data = await ok(g, CREATE_KEY, { merchantId, name: 'till 1' }, token);
  return { id: data.createPartnerApiKey.key.id, secret: data.createPartnerApiKey.secret };
}

export const RECORD = `mutation($input: PurchaseInput!) { recordPurchase(input: $input) { purchase { id } awards { kind points } } }`;

/** Every subgraph's own URL and the gateway's: where a credential must be accepted or refused. */
export function everyEndpoint(graph: RunningGraph): [string, string][] {
  return [
    ['gateway', graph.url],
    ...SERVICE_NAMES.map((name): [string, string] => [name, graph.services[name]!.url]),
  ];
}

/** What each endpoint answers to `{ __typename }` with this bearer credential. */
export async function answersEverywhere(graph: RunningGraph, credential: string) {
  return Promise.all(
    everyEndpoint(graph).map(async ([name, url]) => {
      const res = await graphqlRequest(url, '{ __typename }', {}, credential);
      return { name, code: res.errors?.[0]?.extensions?.code ?? 'OK' };
    }),
  );
}

/** One request a receiver got. */
export interface Received {
  headers: Record<string, string>;
  body: string;
  /** True once the receiver has answered (or the sender hung up). */
  done: boolean;
}

/**
 * A real HTTP endpoint for webhooks on a free port. `answer` decides each request's fate: a
 * status code, or `'hang'` (never answer; the sender's timeout must end it).
 */
export async function startReceiver(answer: (n: number, body: string) => number | 'hang' = () => 200) {
  const received: Received[] = [];
  const hanging = new Set<import('node:http').ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const entry: Received = { headers: req.headers as Record<string, string>, body, done: false };
      received.push(entry);
      res.on('close', () => {
        entry.done = true;
        hanging.delete(res);
      });
      const what = answer(received.length, body);
      if (what === 'hang') {
        hanging.add(res);
        return;
      }
      res.statusCode = what;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** Parsed bodies. */
    messages: () =>
      received.map(
        (r) => JSON.parse(r.body) as { type: string; timestamp: string; data: Record<string, any> }, // eslint-disable-line @typescript-eslint/no-explicit-any
      ),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

export const CREATE_ENDPOINT = `mutation($m: ID!, $url: String!, $events: [String!]!) {
  createWebhookEndpoint(merchantId: $m, url: $url, events: $events) {
    secret endpoint { id url events active createdAt merchant { id } }
  }
}`;

/** A graphql-ws connection with the key in connection_init; `run` answers one operation or the close code. */
export function socketWith(url: string, secret: string) {
  let closedWith: (code: number) => void = () => undefined;
  const closed = new Promise<number>((resolve) => (closedWith = resolve));
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${secret}` },
    retryAttempts: 0,
    // One connection for the client's life (a lazy client would reconnect per operation).
    lazy: false,
    on: { closed: (e) => closedWith((e as { code: number }).code) },
  });
  const run = (query: string, variables: Record<string, unknown>) =>
    Promise.race([
      new Promise<{ data?: unknown; errors?: unknown }>((resolve) => {
        client.subscribe(
          { query, variables },
          {
            next: (value) => resolve(value as { data?: unknown; errors?: unknown }),
            error: (errors) => resolve({ errors }),
            complete: () => undefined,
          },
        );
      }),
      closed.then((code) => ({ closed: code })),
    ]);
  return { run, dispose: () => client.dispose() };
}
