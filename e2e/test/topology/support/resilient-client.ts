import retry from 'async-retry';

/** Codes that mean "try again later": the same request, with the same key, may still succeed. */
const TRANSIENT = new Set(['SERVICE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR']);

export type Outcome<T> =
  { ok: true; data: T; attempts: number } | { ok: false; code: string; attempts: number };

class Transient extends Error {}

/**
 * What a careful client does against a platform whose processes may die at any moment: each
 * request is retried (same idempotency key, next gateway replica) with exponential backoff until
 * it gets a definite answer — data, or a refusal with a business error code.
 */
export class ResilientClient {
  private next = 0;
  readonly stats = { requests: 0, retries: 0 };

  constructor(private readonly gateways: string[]) {}

  async request<T = Record<string, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
    query: string,
    variables: Record<string, unknown>,
    token: string,
  ): Promise<Outcome<T>> {
    let attempts = 0;
    this.stats.requests += 1;
    return retry(
      async () => {
        attempts += 1;
        if (attempts > 1) this.stats.retries += 1;
        const url = this.gateways[this.next++ % this.gateways.length];
        let body: { data?: T | null; errors?: { extensions?: { code?: string } }[] };
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query, variables }),
            signal: AbortSignal.timeout(20_000),
          });
          body = (await res.json()) as typeof body;
        } catch (error) {
          throw new Transient(`network: ${String(error)}`);
        }
        const code = body.errors?.[0]?.extensions?.code;
        if (code && TRANSIENT.has(code)) throw new Transient(code);
        if (code) return { ok: false as const, code, attempts };
        if (!body.data) throw new Transient('no data');
        return { ok: true as const, data: body.data, attempts };
      },
      { retries: 60, minTimeout: 100, maxTimeout: 2_000, factor: 2 },
    );
  }
}
