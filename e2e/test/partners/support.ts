import { randomUUID } from 'node:crypto';
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
