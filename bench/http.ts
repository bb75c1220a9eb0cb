/** HTTP of the benchmarks: GraphQL POSTs over keep-alive agents. */
import type { Agent } from 'node:http';
import { postJson } from '@loyalty/platform';

/** One POST over a keep-alive agent; resolves with the parsed body. */
export async function post(
  agent: Agent,
  url: URL,
  body: string,
  token: string,
): Promise<{ data?: unknown; errors?: unknown }> {
  // Benchmarks wait as long as a round lasts: no timeout of their own.
  const res = await postJson(url.href, body, token, { agent, timeoutMs: 0 });
  return JSON.parse(res.text) as { data?: unknown; errors?: unknown };
}
