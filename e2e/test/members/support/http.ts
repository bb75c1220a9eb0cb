import { request, type IncomingHttpHeaders } from 'node:http';

/** A raw HTTP answer. */
export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  /**
   * The local address to connect from: any 127.x.y.z is this machine, so each test can be its
   * own client for per-client rate limits.
   */
  from?: string;
}

/** One real HTTP request (node:http, so the source address can be chosen). */
export function send(url: string, body: string | null, options: SendOptions = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'POST',
        headers: options.headers,
        localAddress: options.from,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

export interface GraphQLAnswer {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers by path
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
  extensions?: Record<string, unknown>;
}

/** A GraphQL client of the gateway bound to one source address. */
export function clientAt(url: string, from: string) {
  return async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const answer = await send(url, JSON.stringify({ query, variables }), {
      from,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    return JSON.parse(answer.body) as GraphQLAnswer;
  };
}

/** The first error's code, or undefined. */
export const codeOf = (answer: GraphQLAnswer): string | undefined => answer.errors?.[0]?.extensions?.code;
