import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import {
  ErrorCode,
  type HttpRoute,
  type Logger,
  type PeerDirectory,
  type ServiceName,
} from '@loyalty/platform';

/** Downloads a subgraph serves itself, reachable on the gateway's port: path → subgraph. */
export const DOWNLOADS: Readonly<Record<string, ServiceName>> = {
  '/exports/audit.csv': 'ledger',
};

const FORWARDED_REQUEST = ['authorization', 'x-request-id', 'accept'];
const FORWARDED_RESPONSE = [
  'content-type',
  'content-disposition',
  'cache-control',
  'www-authenticate',
  'allow',
];

/**
 * Streams a subgraph's download through the gateway: the caller's token and query string go to
 * the subgraph (which authorises), its answer comes back piped, so backpressure reaches the
 * subgraph's reads and nothing is buffered here. A client that goes away aborts the upstream request.
 */
export function downloadProxy(
  peers: PeerDirectory,
  logger: Logger,
  path: string,
  service: ServiceName,
): HttpRoute {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const target = new URL(peers.url(service));
    target.pathname = path;
    target.search = new URL(req.url ?? '/', 'http://localhost').search;
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    let upstream: Response;
    try {
      upstream = await fetch(target, { method: req.method, headers, signal: abort.signal });
    } catch (error) {
      logger.warn({ err: error, service }, 'download: subgraph unreachable');
      res.statusCode = 503;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          errors: [
            { message: `${service} is unavailable`, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } },
          ],
        }),
      );
      return;
    }
    res.statusCode = upstream.status;
    for (const name of FORWARDED_RESPONSE) {
      const value = upstream.headers.get(name);
      if (value !== null) res.setHeader(name, value);
    }
    if (!upstream.body) return void res.end();
    try {
      await pipeline(Readable.fromWeb(upstream.body as ReadableStream<Uint8Array>), res);
    } catch (error) {
      // The client left, or the subgraph broke off: the response is already cut short.
      if (!abort.signal.aborted) logger.warn({ err: error, service }, 'download: stream broken');
    }
  };
}
