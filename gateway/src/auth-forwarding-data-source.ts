import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { Pool } from 'undici';
import {
  ErrorCode,
  GATEWAY_AUTHORIZATION_HEADER,
  isErrorCode,
  ServiceUnavailableError,
  type LocalHandler,
} from '@loyalty/platform';
import type { GatewayContext } from './context';
import { memberGrantFor, rememberMemberGrants } from './member-grants';
import { PublicAnswers, type PublicAnswersOptions } from './public-answers';

/** Counters of one subgraph's data source (tests, benchmarks). */
export interface SubgraphFetchStats {
  /** Fetches the executor asked for. */
  requested: number;
  /**
   * Requests actually sent, over HTTP or a local link (the rest joined an identical one in flight
   * or were answered from the subgraph's public answers).
   */
  sent: number;
  /** Fetches answered from what the subgraph declared public ({@link PublicAnswers}). */
  cached: number;
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

/** The first error of a subgraph's answer, when it carries one of the graph's public codes. */
function publicError(text: string): GraphQLError | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const errors = (body as { errors?: unknown } | null)?.errors;
  const first = Array.isArray(errors)
    ? (errors[0] as { message?: unknown; extensions?: { code?: unknown } })
    : null;
  const code = first?.extensions?.code;
  if (!isErrorCode(code) || code === ErrorCode.INTERNAL_SERVER_ERROR || typeof first?.message !== 'string') {
    return null;
  }
  return new GraphQLError(first.message, { extensions: { code } });
}

/** What one subgraph request carries besides its body. */
export interface SubgraphRequestOptions {
  operationName?: string;
  /** The caller's `Authorization` (or a member grant minted for this operation). */
  authorization?: string;
  requestId?: string;
  /** The caller's `Accept-Language`: subgraphs word member-facing text in it. */
  acceptLanguage?: string;
  /** The caller's address, for per-client rate limits in subgraphs. */
  clientAddress?: string;
  mutation?: boolean;
  /** Must not join a fetch in flight (a live event's resolution: see {@link GatewayContext.fresh}). */
  fresh?: boolean;
}

export interface AuthForwardingOptions {
  /** The subgraph's name, for the caller-facing message of an outage. */
  name: string;
  url: string;
  /** A current service token of the gateway's, sent in {@link GATEWAY_AUTHORIZATION_HEADER}. */
  vouch(): Promise<string>;
  /** The subgraph's local link when it runs in this process (see `LocalLinks`); else HTTP. */
  local?(): LocalHandler | undefined;
  /** Bounds of the answers kept that the subgraph declared public (defaults: {@link PublicAnswers}). */
  publicAnswers?: PublicAnswersOptions;
}

/** What a subgraph answered: the body, and its `Cache-Control` (if any). */
interface SentAnswer {
  text: string;
  cacheControl?: string;
}

/**
 * The gateway's subgraph client. Sends each subgraph the caller's own `Authorization` header
 * (subgraphs verify the token themselves and authorise the caller, not the gateway) and the
 * gateway's own service token in {@link GATEWAY_AUTHORIZATION_HEADER}, which is what lets the
 * request reach `_entities`. The one exception to forwarding the caller's header is a member token
 * that a subgraph itself minted for this operation (an anonymous sign-up or sign-in), used only to
 * read that member (`member-grants.ts`). Failures reach the caller as their public code, or
 * SERVICE_UNAVAILABLE: never the subgraph's URL or raw answer.
 *
 * It replaces `RemoteGraphQLDataSource` (node-fetch `Headers` and `Request` objects per call, then
 * Node's web-stream `fetch`, which took half the gateway's CPU under load) with an undici `Pool`
 * per subgraph, or the subgraph's local link when it runs in this process, and shares work:
 * - identical query fetches in flight (same subgraph, body, authorization and language) are sent once and
 *   every caller parses its own copy of the response; never for mutations, nor for any fetch of an
 *   incoming mutation (it must see its own writes);
 * - duplicate entity representations in one fetch are sent once and fanned back out;
 * - an answer the subgraph marks `Cache-Control: max-age=N, public` (its every field is the same for
 *   every caller, e.g. the public reward list) answers identical queries from any caller for those
 *   seconds ({@link PublicAnswers}), dropped by any mutation this gateway sends the subgraph.
 */
export class AuthForwardingDataSource implements GraphQLDataSource<GatewayContext> {
  readonly stats: SubgraphFetchStats = {
    requested: 0,
    sent: 0,
    cached: 0,
    representations: 0,
    representationsSent: 0,
  };
  private readonly pool: Pool;
  private readonly path: string;
  private readonly inflight = new Map<string, Promise<string>>();
  readonly url: string;
  private readonly subgraph: string;
  private readonly vouch: () => Promise<string>;
  private readonly local: () => LocalHandler | undefined;
  private readonly publicAnswers: PublicAnswers;

  constructor(options: AuthForwardingOptions) {
    this.url = options.url;
    this.subgraph = options.name;
    this.vouch = options.vouch;
    this.local = options.local ?? (() => undefined);
    this.publicAnswers = new PublicAnswers(options.publicAnswers);
    const parsed = new URL(options.url);
    this.path = `${parsed.pathname}${parsed.search}`;
    this.pool = new Pool(parsed.origin, { connections: 64, keepAliveTimeout: 30_000 });
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    const context = options.context as Partial<GatewayContext>;
    if (!request.query) throw new Error('Missing query');
    const incomingMutation =
      'incomingRequestContext' in options &&
      options.incomingRequestContext.operation?.operation === 'mutation';
    const grant = 'authorization' in context ? memberGrantFor(request, context as GatewayContext) : undefined;
    const response = await this.fetch(request.query, request.variables, {
      operationName: request.operationName,
      authorization: grant ? `Bearer ${grant}` : context.authorization,
      requestId: context.requestId,
      acceptLanguage: context.acceptLanguage,
      clientAddress: context.clientAddress,
      mutation: incomingMutation,
      fresh: context.fresh,
    });
    if ('authorization' in context) rememberMemberGrants(response, context as GatewayContext);
    return response;
  }

  /**
   * One GraphQL request to the subgraph: a query answered from the subgraph's public answers or
   * shared with an identical one in flight unless it belongs to a mutation or a live event;
   * duplicate `representations` are sent once.
   */
  async fetch(
    query: string,
    variables: Record<string, unknown> | undefined,
    options: SubgraphRequestOptions = {},
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
    const text = /^\s*mutation\b/.test(query)
      ? this.mutate(body, options)
      : options.mutation || options.fresh
        ? // Reads of an incoming mutation, and a live event's, must see the writes before them.
          this.send(body, options).then((a) => a.text)
        : this.query(body, options);
    let response: GatewayGraphQLResponse;
    try {
      response = JSON.parse(await text) as GatewayGraphQLResponse;
    } catch (error) {
      if (error instanceof GraphQLError) throw error;
      throw this.unavailable();
    }
    if (response === null || typeof response !== 'object') throw this.unavailable();
    return dedupe ? fanOut(response, dedupe.map) : response;
  }

  /**
   * A query fetch: from the subgraph's public answers, else joined to an identical one in flight,
   * else sent (and kept if the subgraph declared its answer public).
   */
  private query(body: string, options: SubgraphRequestOptions): Promise<string> {
    const language = options.acceptLanguage ?? '';
    const publicKey = `${language}\u0000${body}`;
    const kept = this.publicAnswers.get(publicKey);
    if (kept !== undefined) {
      this.stats.cached++;
      return Promise.resolve(kept);
    }
    const key = `${options.authorization ?? ''}\u0000${publicKey}`;
    const shared = this.inflight.get(key);
    if (shared) return shared;
    const since = this.publicAnswers.clock();
    const text = this.send(body, options)
      .then((answer) => {
        this.publicAnswers.keep(publicKey, answer.text, answer.cacheControl, since);
        return answer.text;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, text);
    return text;
  }

  /**
   * A mutation: never shared, and the subgraph's public answers are dropped before it is sent and
   * again when it is answered, so none read before its writes outlives it.
   */
  private async mutate(body: string, options: SubgraphRequestOptions): Promise<string> {
    this.publicAnswers.drop();
    try {
      return (await this.send(body, options)).text;
    } finally {
      this.publicAnswers.drop();
    }
  }

  private async send(body: string, options: SubgraphRequestOptions): Promise<SentAnswer> {
    this.stats.sent++;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [GATEWAY_AUTHORIZATION_HEADER]: `Bearer ${await this.vouch()}`,
    };
    if (options.authorization) headers.authorization = options.authorization;
    if (options.requestId) headers['x-request-id'] = options.requestId;
    if (options.acceptLanguage) headers['accept-language'] = options.acceptLanguage;
    if (options.clientAddress) headers['x-forwarded-for'] = options.clientAddress;
    let status: number;
    let text: string;
    let cacheControl: string | undefined;
    try {
      const local = this.local();
      if (local) {
        const answer = await local({ headers, body });
        status = answer.status;
        text = answer.body;
        cacheControl = answer.cacheControl;
      } else {
        const res = await this.pool.request({ path: this.path, method: 'POST', headers, body });
        status = res.statusCode;
        text = await res.body.text();
        const header = res.headers['cache-control'];
        cacheControl = Array.isArray(header) ? header.join(', ') : header;
      }
    } catch {
      // Connection refused, reset, unreadable answer: the messages name the subgraph's address.
      throw this.unavailable();
    }
    if (status < 200 || status >= 300) {
      // A subgraph's own coded error (a 400 for bad variables, 401/403) keeps its code; anything
      // else is an outage, without the subgraph's URL or raw answer.
      throw publicError(text) ?? this.unavailable();
    }
    return { text, cacheControl };
  }

  private unavailable(): GraphQLError {
    return new ServiceUnavailableError(`The ${this.subgraph} service is unavailable; try again`);
  }

  /** Closes the pooled connections. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
