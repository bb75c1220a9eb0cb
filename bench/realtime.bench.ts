/**
 * Realtime benchmark (`pnpm bench realtime`): delivery latency from commit to client for many
 * connected members under a steady stream of balance changes, and the gateway's memory per
 * connection.
 *
 * The gateway runs in a child process (realtime-server.ts) with the real members subgraph and the
 * stand-in ledger (fake-ledger.ts: in-memory entries, events published on the transport as the
 * outbox relay does, every 10 ms); this process holds the graphql-ws clients, one per member, each
 * subscribed to its own `balanceChanged { sequence delta balance member { displayName } entry {
 * createdAt } }`: every delivery is resolved through the gateway (members + ledger subgraphs).
 * Latency = when the client received a change − when the ledger committed it (same machine clock).
 *
 * Settings: BENCH_CONNECTIONS (10000), BENCH_RATE changes/s (1000), BENCH_SECONDS (20),
 * BENCH_SELECTION (`full`, or `primary` for event fields only: fan-out without resolution).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig, TokenService } from '@loyalty/platform';

/** `full`: fields from the members and ledger subgraphs (a gateway query per batch of events). */
const FULL =
  'subscription { balanceChanged { sequence delta balance member { displayName } entry { createdAt } } }';
/** `primary`: only what the event carries (no query): the cost of fan-out alone. */
const PRIMARY = 'subscription { balanceChanged { sequence delta balance kind } }';

interface Reply {
  type: string;
  [k: string]: unknown;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function run(): Promise<void> {
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 10_000);
  const rate = Number(process.env.BENCH_RATE ?? 1_000);
  const seconds = Number(process.env.BENCH_SECONDS ?? 20);
  const mode = process.env.BENCH_SELECTION === 'primary' ? 'primary' : 'full';
  const selection = mode === 'primary' ? PRIMARY : FULL;
  const replies: Reply[] = [];
  const waiters: (() => void)[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'loyalty-bench-realtime-'));
  // Embedded SQLite and the in-process transport: the gateway's own cost, not Redis's or MySQL's.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BENCH_MEMBERS: String(connections),
    DATA_DIR: dataDir,
    NODE_ENV: 'development',
  };
  delete env.MYSQL_URL;
  delete env.REDIS_URL;
  const child = fork(join(__dirname, 'realtime-server.js'), [], {
    execArgv: ['--expose-gc', '--max-old-space-size=4096'],
    env,
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
    waiters.splice(0).forEach((w) => w());
  });
  child.on('message', (m: Reply) => {
    replies.push(m);
    waiters.splice(0).forEach((w) => w());
  });
  const reply = async (type: string, timeoutMs = 600_000): Promise<Reply> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = replies.findIndex((r) => r.type === type);
      if (i >= 0) return replies.splice(i, 1)[0];
      if (Date.now() > deadline || exited) throw new Error(`no ${type} from the gateway process`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 1000);
      });
    }
  };
  const ask = (command: Record<string, unknown>, type: string) => {
    child.send(command);
    return reply(type);
  };
  const clients: Client[] = [];
  try {
    const ready = await reply('ready');
    const wsUrl = ready.wsUrl as string;
    const memberIds = ready.memberIds as string[];
    console.log(
      `members registered: ${memberIds.length} in ${((ready.registerMs as number) / 1000).toFixed(1)} s`,
    );
    const baseline = ((await ask({ type: 'memory' }, 'memory')).memory as NodeJS.MemoryUsage) ?? null;

    // Connect every member (200 handshakes in flight at a time) and subscribe to its stream.
    // The development keys the gateway process made under the same DATA_DIR.
    const tokens = TokenService.fromConfig(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'development' }, {}));
    const receivedAt = new Map<string, number>();
    let errors = 0;
    let recordFrom = Infinity;
    const t0 = Date.now();
    for (let i = 0; i < memberIds.length; i += 200) {
      await Promise.all(
        memberIds.slice(i, i + 200).map(async (memberId) => {
          const client = createClient({
            url: wsUrl,
            webSocketImpl: WebSocket,
            connectionParams: {
              authorization: `Bearer ${await tokens.sign({ role: 'member', sub: memberId })}`,
            },
            retryAttempts: 0,
            keepAlive: 0,
          });
          clients.push(client);
          await new Promise<void>((resolve, reject) => {
            client.on('connected', () => resolve());
            client.on('closed', (e) => reject(new Error(`closed ${(e as { code: number }).code}`)));
            client.subscribe<{ balanceChanged: { sequence: number; entry?: { createdAt: string } } }>(
              { query: selection },
              {
                next: (value) => {
                  const now = Date.now();
                  if (value.errors) errors++;
                  const change = value.data?.balanceChanged;
                  if (change && now >= recordFrom) receivedAt.set(`${memberId}:${change.sequence}`, now);
                },
                error: () => errors++,
                complete: () => undefined,
              },
            );
          });
        }),
      );
    }
    for (;;) {
      const stats = (await ask({ type: 'stats' }, 'stats')).stats as { subscriptions: number };
      if (stats.subscriptions >= memberIds.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const connectSeconds = (Date.now() - t0) / 1000;
    const connected = ((await ask({ type: 'memory' }, 'memory')).memory as NodeJS.MemoryUsage) ?? null;
    const perConnection = (k: keyof NodeJS.MemoryUsage) =>
      ((connected[k] - baseline[k]) / memberIds.length / 1024).toFixed(1);

    // Warm up for 2 s (plans, JIT), then measure.
    child.send({ type: 'load', rate, seconds: 2 });
    await reply('loaded');
    await new Promise((r) => setTimeout(r, 500));
    recordFrom = Date.now();
    child.send({ type: 'load', rate, seconds });
    const loaded = await reply('loaded');
    await new Promise((r) => setTimeout(r, 5_000)); // let the tail arrive
    recordFrom = Infinity;
    // Latency per change: when its client got it − when the ledger committed it.
    const latencies: number[] = [];
    for (const [memberId, sequence, committed] of loaded.commits as [string, number, number][]) {
      const at = receivedAt.get(`${memberId}:${sequence}`);
      if (at !== undefined) latencies.push(at - committed);
    }
    latencies.sort((a, b) => a - b);
    const published = loaded.published as number;
    console.log(
      [
        `selection: ${mode} (${selection})`,
        `connections: ${memberIds.length} (connected and subscribed in ${connectSeconds.toFixed(1)} s)`,
        `load: ${published} balance changes in ${(loaded.seconds as number).toFixed(1)} s = ${(published / (loaded.seconds as number)).toFixed(0)}/s (target ${rate}/s)`,
        `delivered: ${latencies.length} of ${published} (${errors} errors)`,
        `latency commit→client: p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${latencies.at(-1)} ms`,
        `gateway process CPU: ${(((loaded.cpuSeconds as number) / (loaded.seconds as number)) * 100).toFixed(0)}% of one core; ` +
          `${loaded.queries} gateway queries for ${loaded.resolutions} resolutions (batched)`,
        `gateway memory per connection: heap ${perConnection('heapUsed')} KiB, RSS ${perConnection('rss')} KiB ` +
          `(heap ${(baseline.heapUsed / 2 ** 20).toFixed(0)} → ${(connected.heapUsed / 2 ** 20).toFixed(0)} MiB, ` +
          `RSS ${(baseline.rss / 2 ** 20).toFixed(0)} → ${(connected.rss / 2 ** 20).toFixed(0)} MiB)`,
      ].join('\n'),
    );
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    if (child.connected) {
      child.send({ type: 'stop' });
      await reply('stopped', 30_000).catch(() => child.kill());
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
