import {
  createServer as createNodeServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext as ApolloBaseContext } from '@apollo/server';
import type { Logger } from 'pino';
import { ErrorCode } from '../errors/error-code';
import type { Metrics } from './metrics';
import { requestScope } from './request-scope';

const MAX_BODY_BYTES = 1_000_000;

export interface HttpServerOptions<Ctx extends ApolloBaseContext> {
  apollo: ApolloServer<Ctx>;
  context(req: IncomingMessage): Promise<Ctx>;
  /** Readiness: every dependency this process needs answers. */
  ready(): Promise<boolean>;
  metrics: Metrics;
  logger: Logger;
  /** Extra endpoints by exact path (`/exports/audit.csv`). */
  routes?: Readonly<Record<string, HttpRoute>>;
}

/**
 * A plain HTTP endpoint served next to `/graphql` (e.g. a streamed download). It answers the
 * request itself; an error it throws before answering becomes a masked 500.
 */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

class PayloadTooLarge extends Error {}

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
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      let body: unknown = undefined;
      if (req.method === 'POST') {
        const raw = await readBody(req);
        body = raw;
        if ((headers.get('content-type') ?? '').includes('application/json')) {
          try {
            body = raw.length ? JSON.parse(raw) : undefined;
          } catch {
            return send(res, 400, {
              errors: [{ message: 'Malformed JSON body', extensions: { code: ErrorCode.BAD_USER_INPUT } }],
            });
          }
        }
      }
      const response = await requestScope.run({}, () =>
        opts.apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: {
            method: (req.method ?? 'GET').toUpperCase(),
            headers,
            search: url.search,
            body,
          },
          context: () => opts.context(req),
        }),
      );
      res.statusCode = response.status ?? 200;
      for (const [key, value] of response.headers) res.setHeader(key, value);
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
      } else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      if (error instanceof PayloadTooLarge) {
        return send(res, 413, {
          errors: [{ message: 'Request body too large', extensions: { code: ErrorCode.BAD_USER_INPUT } }],
        });
      }
      opts.logger.error({ err: error }, 'unhandled HTTP error');
      if (!res.headersSent)
        send(res, 500, {
          errors: [
            { message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } },
          ],
        });
      else res.end();
    }
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
