import {
  createServer as createNodeServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import { HeaderMap, type ApolloServer, type BaseContext as ApolloBaseContext } from '@apollo/server';
import type { Logger } from 'pino';
import { ErrorCode } from '../errors/error-code';
import { AppError } from '../errors/errors';
import type { LocalHandler } from '../service/local-links';
import type { Metrics } from './metrics';
import { inRequestScope } from './request-scope';

const MAX_BODY_BYTES = 1_000_000;

export interface HttpServerOptions<Ctx extends ApolloBaseContext> {
  apollo: ApolloServer<Ctx>;
  context(req: RequestHead): Promise<Ctx>;
  /** Readiness: every dependency this process needs answers. */
  ready(): Promise<boolean>;
  metrics: Metrics;
  logger: Logger;
  /**
   * Checks a GraphQL request before Apollo Server parses it (`query` as sent, if any); a refusal
   * is answered with its status and code.
   */
  admit?(req: RequestHead, query: unknown): Promise<{ status: number; error: AppError } | null>;
  /** Bearer token `/metrics` asks for; unset: metrics are not served over HTTP. */
  metricsToken?: string;
  /** Extra endpoints by exact path (`/exports/audit.csv`). */
  routes?: Readonly<Record<string, HttpRoute>>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** `Authorization: Bearer <token>` with exactly this token (compared in constant time). */
function bearerIs(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '');
  return match !== null && timingSafeEqual(digest(match[1]), digest(token));
}

/**
 * A plain HTTP endpoint served next to `/graphql` (e.g. a streamed download). It answers the
 * request itself; an error it throws before answering becomes a masked 500.
 */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

class PayloadTooLarge extends Error {}

/** HTTP status of a refusal raised outside GraphQL (plain routes); other codes answer 400. */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.LIMIT_REACHED]: 429,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new PayloadTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/**
 * What the GraphQL endpoint reads of a request besides its body: an HTTP request, or a request
 * handed over in the process ({@link createLocalHandler}), which has no socket.
 */
export interface RequestHead {
  headers: IncomingHttpHeaders;
  socket?: { remoteAddress?: string };
}

/** An answer of the GraphQL endpoint, before it is written anywhere. */
interface Answer {
  status: number;
  headers: Iterable<[string, string]>;
  body: string | AsyncIterable<string>;
}

/** A header of an answer (names are lower-case in Apollo's `HeaderMap` and ours). */
function headerOf(headers: Iterable<[string, string]>, name: string): string | undefined {
  for (const [key, value] of headers) if (key === name) return value;
  return undefined;
}

const JSON_TYPE: [string, string][] = [['content-type', 'application/json']];

const refusal = (status: number, code: unknown, message: string): Answer => ({
  status,
  headers: JSON_TYPE,
  body: JSON.stringify({ errors: [{ message, extensions: { code } }] }),
});

/**
 * Answers one GraphQL request (`raw`: the body as sent, for a POST) through the door, then
 * Apollo Server. A refusal raised on the way (a bad token) is answered with its code, anything
 * else as a masked 500.
 */
async function answerGraphQL<Ctx extends ApolloBaseContext>(
  opts: HttpServerOptions<Ctx>,
  head: RequestHead,
  method: string,
  search: string,
  raw: string | undefined,
): Promise<Answer> {
  try {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(head.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = raw;
    if (raw !== undefined && (headers.get('content-type') ?? '').includes('application/json')) {
      try {
        body = raw.length ? JSON.parse(raw) : undefined;
      } catch {
        return refusal(400, ErrorCode.BAD_USER_INPUT, 'Malformed JSON body');
      }
    }
    if (opts.admit) {
      const sent = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : null;
      const query =
        method === 'POST'
          ? (sent as { query?: unknown } | null)?.query
          : new URLSearchParams(search).get('query');
      const refused = await opts.admit(head, query);
      if (refused) return refusal(refused.status, refused.error.extensions.code, refused.error.message);
    }
    const response = await inRequestScope(() =>
      opts.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search, body },
        context: () => opts.context(head),
      }),
    );
    return {
      status: response.status ?? 200,
      headers: response.headers,
      body: response.body.kind === 'complete' ? response.body.string : response.body.asyncIterator,
    };
  } catch (error) {
    return failureAnswer(error, opts.logger);
  }
}

/**
 * What a failure outside Apollo Server answers: a refusal of the caller (a bad token, no right to
 * the data) with its code and status, anything else a masked 500 (logged).
 */
function failureAnswer(error: unknown, logger: Logger): Answer {
  if (error instanceof AppError && error.code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    return refusal(HTTP_STATUS[error.code] ?? 400, error.extensions.code, error.message);
  }
  logger.error({ err: error }, 'unhandled HTTP error');
  return refusal(500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
}

const TOO_LARGE = refusal(413, ErrorCode.BAD_USER_INPUT, 'Request body too large');

/** Writes an answer to the HTTP response (a streamed body chunk by chunk). */
async function write(res: ServerResponse, answer: Answer): Promise<void> {
  res.statusCode = answer.status;
  for (const [key, value] of answer.headers) res.setHeader(key, value);
  if (typeof answer.body === 'string') return void res.end(answer.body);
  for await (const chunk of answer.body) res.write(chunk);
  res.end();
}

/**
 * Creates a `node:http` request handler serving GraphQL on `/graphql` through Apollo Server 5
 * (which ships no HTTP framework), plus `/health/live`, `/health/ready` and `/metrics`.
 */
export function createRequestHandler<Ctx extends ApolloBaseContext>(opts: HttpServerOptions<Ctx>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let route = 'other';
    res.once('finish', () => opts.metrics.httpRequests.inc({ route, status: String(res.statusCode) }));
    try {
      if (url.pathname === '/health/live') {
        route = 'live';
        return send(res, 200, { status: 'ok' });
      }
      if (url.pathname === '/health/ready') {
        route = 'ready';
        const ok = await opts.ready().catch(() => false);
        return send(res, ok ? 200 : 503, { status: ok ? 'ready' : 'unavailable' });
      }
      if (url.pathname === '/metrics') {
        route = 'metrics';
        // Metrics tell an outsider what runs and how busy it is: only for the scraper's token.
        if (!opts.metricsToken) return send(res, 404, { error: 'not found' });
        if (!bearerIs(req.headers.authorization, opts.metricsToken)) {
          res.setHeader('www-authenticate', 'Bearer');
          return send(res, 401, { error: 'unauthorized' });
        }
        return send(res, 200, await opts.metrics.registry.metrics(), opts.metrics.registry.contentType);
      }
      const extra =
        opts.routes && Object.hasOwn(opts.routes, url.pathname) ? opts.routes[url.pathname] : null;
      if (extra) {
        route = url.pathname;
        return await extra(req, res);
      }
      if (url.pathname !== '/graphql') {
        return send(res, 404, { error: 'not found' });
      }
      route = 'graphql';
      const method = (req.method ?? 'GET').toUpperCase();
      const raw = method === 'POST' ? await readBody(req) : undefined;
      await write(res, await answerGraphQL(opts, req, method, url.search, raw));
    } catch (error) {
      if (error instanceof PayloadTooLarge) return write(res, TOO_LARGE);
      if (!res.headersSent) return write(res, failureAnswer(error, opts.logger));
      opts.logger.error({ err: error }, 'unhandled HTTP error');
      res.end();
    }
  };
}

/**
 * The same GraphQL endpoint for requests handed over inside the process ({@link LocalLinks}):
 * a POST of `request.body` with `request.headers`, answered as the HTTP endpoint would (status
 * and body), without a socket. Counted in `http_requests_total` as route `local`.
 */
export function createLocalHandler<Ctx extends ApolloBaseContext>(
  opts: HttpServerOptions<Ctx>,
): LocalHandler {
  return async (request) => {
    const answer =
      Buffer.byteLength(request.body) > MAX_BODY_BYTES
        ? TOO_LARGE
        : await answerGraphQL(opts, { headers: request.headers }, 'POST', '', request.body);
    let body: string;
    if (typeof answer.body === 'string') body = answer.body;
    else {
      body = '';
      for await (const chunk of answer.body) body += chunk;
    }
    opts.metrics.httpRequests.inc({ route: 'local', status: String(answer.status) });
    return { status: answer.status, body, cacheControl: headerOf(answer.headers, 'cache-control') };
  };
}

/** Listens on `port` (0: a free one) and resolves with the bound port. */
export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/**
 * Node's HTTP server with keep-alive settings fit for sitting behind the gateway: the gateway's
 * fetch agent keeps idle sockets open indefinitely, so a server that closes them after Node's
 * default 5 s races with the next request reusing one (ECONNRESET / "socket hang up" after a
 * pause). Idle sockets stay open for 65 s instead (longer than common load-balancer idle timeouts).
 */
export function createServer(): Server {
  const server = createNodeServer();
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
