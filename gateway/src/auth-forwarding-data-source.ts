import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { Pool } from 'undici';
import type { GatewayContext } from './context';

/** Counters of one subgraph's data source (tests, benchmarks). */
export interface SubgraphFetchStats {
  /** Fetches the executor asked for. */
  requested: number;
  /** HTTP requests actually sent (the rest joined an identical one in flight). */
  sent: number;
  /** Entity representations asked for, and sent after removing duplicates. */
  representations: number;
  representationsSent: number;
}

type Json = Record<string, unknown>;

/** A deep copy of parsed JSON: the executor merges later fetches into what it receives. */
function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (value !== null && typeof value === 'object') {
    const out: Json = {};
    for (const k of Object.keys(value)) out[k] = cloneJson((value as Json)[k]);
    return out as T;
  }
  return value;
}

/** `representations` with duplicates removed, and for each original index the unique one it maps to. */
function uniqueRepresentations(representations: unknown[]): { unique: unknown[]; map: number[] } | null {
  const index = new Map<string, number>();
  const unique: unknown[] = [];
  const map = representations.map((r) => {
    const key = JSON.stringify(r);
    let i = index.get(key);
    if (i === undefined) {
      i = unique.push(r) - 1;
      index.set(key, i);
    }
    return i;
  });
  return unique.length < representations.length ? { unique, map } : null;
}

/** Fans `_entities` (and errors on it) back out to the representations as the executor sent them. */
function fanOut(response: GatewayGraphQLResponse, map: number[]): GatewayGraphQLResponse {
  const entities = (response.data as Json | null | undefined)?._entities;
  const used = new Set<number>();
  const data = Array.isArray(entities)
    ? {
        ...response.data,
        _entities: map.map((u) => {
          // Each representation gets its own object: the executor merges into them one by one.
          if (used.has(u)) return cloneJson(entities[u]);
          used.add(u);
          return entities[u];
        }),
      }
    : response.data;
  const errors = response.errors?.flatMap((e) => {
    const path = (e as GraphQLFormattedError).path;
    if (path?.[0] !== '_entities' || typeof path[1] !== 'number') return [e];
    const at = path[1];
    return map.flatMap((u, i) => (u === at ? [{ ...e, path: ['_entities', i, ...path.slice(2)] }] : []));
  });
  return { ...response, data, errors } as GatewayGraphQLResponse;
}

function hasErrors(text: string): boolean {
  try {
    return Array.isArray((JSON.parse(text) as { errors?: unknown }).errors);
  } catch {
    return false;
  }
}

/** `401`/`403` keep their meaning; any other failure status is a subgraph error. */
function statusError(status: number, url: string, body: string): GraphQLError {
  const code = status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : undefined;
  return new GraphQLError(`${status}: subgraph request failed`, {
    extensions: { ...(code ? { code } : {}), response: { url, status, body } },
  });
}

/**
 * The gateway's subgraph client. Sends each subgraph the caller's own `Authorization` header:
 * subgraphs verify the token themselves and trust no identity the gateway could assert on its own.
 *
 * It replaces `RemoteGraphQLDataSource` (node-fetch `Headers` and `Request` objects per call, then
 * Node's web-stream `fetch`, which took half the gateway's CPU under load) with an undici `Pool`
 * per subgraph, and shares work:
 * - identical query fetches in flight (same subgraph, body and authorization) are sent once and
 *   every caller parses its own copy of the response; never for mutations, nor for any fetch of an
 *   incoming mutation (it must see its own writes);
 * - duplicate entity representations in one fetch are sent once and fanned back out.
 */
export class AuthForwardingDataSource implements GraphQLDataSource<GatewayContext> {
  readonly stats: SubgraphFetchStats = { requested: 0, sent: 0, representations: 0, representationsSent: 0 };
  private readonly pool: Pool;
  private readonly path: string;
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(readonly url: string) {
    const parsed = new URL(url);
    this.path = `${parsed.pathname}${parsed.search}`;
    this.pool = new Pool(parsed.origin, { connections: 64, keepAliveTimeout: 30_000 });
  }

  process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    const context = options.context as Partial<GatewayContext>;
    if (!request.query) throw new Error('Missing query');
    const incomingMutation =
      'incomingRequestContext' in options &&
      options.incomingRequestContext.operation?.operation === 'mutation';
    return this.fetch(request.query, request.variables, {
      operationName: request.operationName,
      authorization: context.authorization,
      requestId: context.requestId,
      mutation: incomingMutation,
    });
  }

  /**
   * One GraphQL request to the subgraph, shared with an identical one in flight unless it is (or
   * belongs to) a mutation; duplicate `representations` are sent once.
   */
  async fetch(
    query: string,
    variables: Record<string, unknown> | undefined,
    options: { operationName?: string; authorization?: string; requestId?: string; mutation?: boolean } = {},
  ): Promise<GatewayGraphQLResponse> {
    this.stats.requested++;
    const representations = variables?.representations;
    let dedupe: { unique: unknown[]; map: number[] } | null = null;
    if (Array.isArray(representations)) {
      this.stats.representations += representations.length;
      dedupe = uniqueRepresentations(representations);
      if (dedupe) variables = { ...variables, representations: dedupe.unique };
      this.stats.representationsSent += dedupe ? dedupe.unique.length : representations.length;
    }
    const body = JSON.stringify({ query, variables, operationName: options.operationName });
    const { authorization, requestId } = options;
    let text: Promise<string>;
    if (options.mutation || /^\s*mutation\b/.test(query)) {
      text = this.send(body, authorization, requestId);
    } else {
      const key = `${authorization ?? ''}\u0000${body}`;
      const shared = this.inflight.get(key);
      if (shared) text = shared;
      else {
        text = this.send(body, authorization, requestId).finally(() => this.inflight.delete(key));
        this.inflight.set(key, text);
      }
    }
    const response = JSON.parse(await text) as GatewayGraphQLResponse;
    if (response === null || typeof response !== 'object') {
      throw new GraphQLError('subgraph answered with something other than a GraphQL response');
    }
    return dedupe ? fanOut(response, dedupe.map) : response;
  }

  private async send(body: string, authorization: string | undefined, requestId: string | undefined) {
    this.stats.sent++;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization) headers.authorization = authorization;
    if (requestId) headers['x-request-id'] = requestId;
    const res = await this.pool.request({ path: this.path, method: 'POST', headers, body });
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode >= 300) {
      // GraphQL-over-HTTP answers some errors with 4xx and a GraphQL body: keep its errors.
      if (res.statusCode !== 401 && res.statusCode !== 403 && hasErrors(text)) return text;
      throw statusError(res.statusCode, this.url, text);
    }
    return text;
  }

  /** Closes the pooled connections. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
