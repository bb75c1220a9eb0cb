/** Hive Gateway for the gateway bench: started on the bench's supergraph and subgraphs. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { GATEWAY_AUTHORIZATION_HEADER } from '@loyalty/platform';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitUntilServing(url: string, proc: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${url}: process exited`);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not start`);
}

/** Hive Gateway on the same supergraph, pointed at the given subgraphs. */
export async function startHive(dir: string, peers: Record<string, string>, serviceToken: string) {
  let sdl = readFileSync(join(__dirname, '..', '..', 'gateway', 'supergraph.graphql'), 'utf8');
  for (const [name, url] of Object.entries(peers)) {
    sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*`), `$1${url}`);
  }
  writeFileSync(join(dir, 'supergraph.graphql'), sdl);
  // Default configuration, plus what any deployment of it here needs: the caller's token reaches
  // the subgraphs (they authorise every call themselves), and a gateway's service token, without
  // which subgraphs answer no `_entities` (the bench is shorter than the token's 5 minutes).
  writeFileSync(
    join(dir, 'gateway.config.mjs'),
    `export const gatewayConfig = {
  logging: 'error',
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({
      authorization: request.headers.get('authorization') ?? undefined,
      '${GATEWAY_AUTHORIZATION_HEADER}': 'Bearer ${serviceToken}',
    }),
  },
};\n`,
  );
  const port = await freePort();
  const bin = require.resolve('@graphql-hive/gateway/package.json').replace(/package\.json$/, 'dist/bin.js');
  const proc = spawn(
    process.execPath,
    [
      bin,
      'supergraph',
      join(dir, 'supergraph.graphql'),
      '-c',
      join(dir, 'gateway.config.mjs'),
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitUntilServing(url, proc);
  return { url, proc };
}
