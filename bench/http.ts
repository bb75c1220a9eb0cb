/** HTTP of the benchmarks: GraphQL POSTs over keep-alive agents. */
import { request, type Agent } from 'node:http';

/** One POST over a keep-alive agent; resolves with the parsed body. */
export function post(
  agent: Agent,
  url: URL,
  body: string,
  token: string,
): Promise<{ data?: unknown; errors?: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
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
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (e) {
            reject(e);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
