import type { IncomingMessage, ServerResponse } from 'node:http';

/** Which browser origins may call the gateway. */
export interface CorsPolicy {
  allows(origin: string): boolean;
}

/** Development and test apps on this machine, any port. */
const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?$/;

/** Headers a browser app may send: the contract's two, Apollo's CSRF headers, request ids. */
const ALLOWED_HEADERS =
  'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, x-request-id';
const ALLOWED_METHODS = 'GET, POST, OPTIONS';
/** How long a browser may cache a preflight answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

const normalize = (origin: string) => origin.trim().replace(/\/+$/, '').toLowerCase();

/**
 * The origins from `CORS_ORIGINS` (comma-separated, exact, `*` for any); unset: local origins
 * outside production and none in production (contract, "Browsers and web apps").
 */
export function corsPolicy(setting: string | undefined, production: boolean): CorsPolicy {
  if (setting === undefined || setting.trim() === '') {
    return { allows: (origin) => !production && LOCAL_ORIGIN.test(normalize(origin)) };
  }
  const listed = new Set(setting.split(',').map(normalize).filter(Boolean));
  if (listed.has('*')) return { allows: () => true };
  return { allows: (origin) => listed.has(normalize(origin)) };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * CORS in front of the gateway's HTTP handler: answers preflights itself and marks answers to
 * allowed origins. Only the browser enforces CORS, so a cross-site request that skips the
 * preflight (a form post, `text/plain`) still reaches Apollo Server, whose CSRF prevention
 * refuses it.
 */
export function withCors(policy: CorsPolicy, handler: Handler): Handler {
  return (req, res) => {
    const origin = req.headers.origin;
    const allowed = origin !== undefined && policy.allows(origin);
    // Answers differ by Origin: caches must keep them apart.
    res.setHeader('vary', 'Origin');
    if (allowed) res.setHeader('access-control-allow-origin', origin);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      if (allowed) {
        res.setHeader('access-control-allow-methods', ALLOWED_METHODS);
        res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
        res.setHeader('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS));
      }
      res.statusCode = allowed ? 204 : 403;
      res.end();
      return;
    }
    return handler(req, res);
  };
}
