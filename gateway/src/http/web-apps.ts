import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import sirv from 'sirv';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * What the pages may load: only this origin (and its WebSocket), so a page that tried to reach a
 * CDN or a web font would be blocked by the browser, not merely fail offline. Monaco (the explorer's
 * editor) runs its language workers from blob: URLs and injects its styles inline.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
].join('; ');

const PAGES = /^\/(wallet|console|assets)(\/|$)/;

/** A browser asking for the page at /graphql (a GET for HTML without a query) gets the explorer. */
function wantsExplorer(req: IncomingMessage, pathname: string, search: URLSearchParams): boolean {
  return (
    pathname === '/graphql' &&
    (req.method === 'GET' || req.method === 'HEAD') &&
    !search.has('query') &&
    (req.headers.accept ?? '').includes('text/html')
  );
}

/**
 * Serves the built web apps (`/wallet/`, `/console/`, their `/assets/`, and the GraphQL explorer on
 * `GET /graphql` from a browser) in front of the GraphQL handler; every other request goes on to it.
 */
export function withWebApps(dir: string, next: RequestHandler): RequestHandler {
  const files = sirv(dir, {
    etag: true,
    // Asset names carry a content hash; pages do not, so they are revalidated.
    setHeaders: (res, pathname) => {
      res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader(
        'cache-control',
        pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  const explorer = sirv(join(dir, 'explorer'), {
    etag: true,
    setHeaders: (res) => {
      res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
      res.setHeader('cache-control', 'no-cache');
    },
  });
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (wantsExplorer(req, url.pathname, url.searchParams)) {
      req.url = '/index.html';
      return explorer(req, res, () => next(req, res));
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && PAGES.test(url.pathname)) {
      if (url.pathname === '/wallet' || url.pathname === '/console') {
        res.writeHead(308, { location: `${url.pathname}/` }).end();
        return;
      }
      return files(req, res, () => next(req, res));
    }
    next(req, res);
  };
}
