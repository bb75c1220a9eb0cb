import { Agent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** Longest a call may take before it counts as a failure. */
const CALL_TIMEOUT_MS = 10_000;

/**
 * Connections kept open between services (all internal calls of this process share them); one
 * idle for 30 s is closed here, well before servers drop theirs (65 s), so none is reused dead.
 */
const agents = {
  http: new Agent({ keepAlive: true, maxSockets: 256, timeout: 30_000 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 256, timeout: 30_000 }),
};

/**
 * One JSON POST with a bearer token, with node's http client over kept-alive connections (the
 * services' internal calls, the benchmarks' clients): `fetch` (undici's web streams, a Response
 * per call) cost several times its CPU per internal call on the purchase path. Resolves with the
 * status and the body as text; rejects on a transport failure or after `timeoutMs`.
 */
export function postJson(
  url: string,
  body: string,
  token: string,
  options: { agent?: Agent; timeoutMs?: number } = {},
): Promise<{ status: number; text: string }> {
  const timeoutMs = options.timeoutMs ?? CALL_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const tls = url.startsWith('https:');
    const req = (tls ? httpsRequest : httpRequest)(
      url,
      {
        agent: options.agent ?? (tls ? agents.https : agents.http),
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
