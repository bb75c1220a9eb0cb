/**
 * Realtime benchmark (`pnpm bench realtime`): delivery latency from commit to client for many
 * connected members under a steady stream of balance changes, and the gateway's memory per
 * connection.
 *
 * Three processes per server by default, so that the server under test is alone in its process as
 * deployed (BENCH_SOURCE=inline puts the source back inside the server's process):
 * - the server: the gateway alone (realtime-server.ts), or the baseline, a plain graphql-ws server
 *   (realtime-raw-server.ts) answering the same selection with its entity fields known in advance;
 * - its source: for the gateway the real members subgraph, the stand-in ledger of
 *   @loyalty/testing (entries as entities with their merchant) and the event source
 *   (realtime-graph.ts); for the baseline the same event source alone (realtime-raw-source.ts).
 *   Every 10 ms it commits the changes due and sends them as one batch over IPC to the server,
 *   which publishes them on its in-process transport (the outbox relay's hop);
 * - this process: the graphql-ws clients, one per member, each subscribed to its own
 *   `balanceChanged { sequence delta balance member { displayName tier } entry { type description
 *   merchant { name } } }`: every gateway delivery needs the members and ledger subgraphs.
 * Latency = when the client received a change − when the source committed it (Date.now() on the
 * machine's one clock, both ends). The baseline runs first, then the gateway, in the same run.
 * Event-loop delay and GC pauses are reported for the server and for this process (the clients).
 *
 * Settings: BENCH_CONNECTIONS (10000), BENCH_RATE changes/s (1000), BENCH_SECONDS (10),
 * BENCH_SOURCE (`process`; `inline`: the source inside the server's process; `both`), BENCH_SELECTION (`full`, or `primary` for event fields only: fan-out without resolution).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig, TokenService } from '@loyalty/platform';
import { child, type Message } from './child';
import { describeProbe, startProbe, type ProbeReport } from './realtime-probe';
import { sourceMode } from './realtime-source';

/** `full`: event fields plus fields of the members and ledger subgraphs (entities per batch). */
const FULL =
  'subscription { balanceChanged { sequence delta balance member { displayName tier } entry { type description merchant { name } } } }';
/** `primary`: only what the event carries (no query): the cost of fan-out alone. */
const PRIMARY = 'subscription { balanceChanged { sequence delta balance kind } }';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Measured {
  label: string;
  selection: string;
  connections: number;
  connectSeconds: number;
  published: number;
  seconds: number;
  delivered: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
  cpuPercent: number;
  sourceCpuPercent: number;
  heapPerConnectionKiB: number;
  rssPerConnectionKiB: number;
  loaded: Message;
  /** Event loop and GC of the server process and of this one (the clients) while measured. */
  serverProbe: ProbeReport;
  clientProbe: ProbeReport;
}

/**
 * One server process (`script`) with `connections` graphql-ws clients in this process, each
 * subscribed to its member's stream, under `rate` changes/s for `seconds`.
 */
async function measure(
  label: string,
  script: string,
  selection: string,
  o: { connections: number; rate: number; seconds: number; source: 'process' | 'inline' },
): Promise<Measured> {
  const dataDir = mkdtempSync(join(tmpdir(), 'loyalty-bench-realtime-'));
  // Embedded SQLite and the in-process transport: the gateway's own cost, not Redis's or MySQL's.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BENCH_MEMBERS: String(o.connections),
    BENCH_SOURCE: o.source,
    DATA_DIR: dataDir,
    NODE_ENV: 'development',
  };
  delete env.MYSQL_URL;
  delete env.REDIS_URL;
  const server = child(script, [], env, {
    execArgv: [
      '--expose-gc',
      '--max-old-space-size=4096',
      ...(process.env.BENCH_CHILD_ARGS?.split(' ').filter(Boolean) ?? []),
    ],
    timeoutMs: 600_000,
  });
  const { reply } = server;
  const clients: Client[] = [];
  try {
    const ready = await reply('ready');
    const wsUrl = ready.wsUrl as string;
    const memberIds = ready.memberIds as string[];
    const baseline = ((await server.ask('memory')).memory as NodeJS.MemoryUsage) ?? null;

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
            client.subscribe<{ balanceChanged: { sequence: number } }>(
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
      const stats = (await server.ask('stats')).stats as { subscriptions: number };
      if (stats.subscriptions >= memberIds.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const connectSeconds = (Date.now() - t0) / 1000;
    const connected = ((await server.ask('memory')).memory as NodeJS.MemoryUsage) ?? null;
    const perConnection = (k: keyof NodeJS.MemoryUsage) =>
      (connected[k] - baseline[k]) / memberIds.length / 1024;

    // Warm up for 2 s (plans, JIT, caches), then measure.
    server.send('load', { rate: o.rate, seconds: 2 });
    await reply('loaded');
    await new Promise((r) => setTimeout(r, 500));
    recordFrom = Date.now();
    const probe = startProbe();
    server.send('load', { rate: o.rate, seconds: o.seconds });
    const loaded = await reply('loaded');
    await new Promise((r) => setTimeout(r, 3_000)); // let the tail arrive
    recordFrom = Infinity;
    const clientProbe = probe.stop();
    // Latency per change: when its client got it − when it was committed.
    const latencies: number[] = [];
    for (const [memberId, sequence, committed] of loaded.commits as [string, number, number][]) {
      const at = receivedAt.get(`${memberId}:${sequence}`);
      if (at !== undefined) latencies.push(at - committed);
    }
    latencies.sort((a, b) => a - b);
    return {
      label,
      selection,
      connections: memberIds.length,
      connectSeconds,
      published: loaded.published as number,
      seconds: loaded.seconds as number,
      delivered: latencies.length,
      errors,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? NaN,
      cpuPercent: ((loaded.cpuSeconds as number) / (loaded.seconds as number)) * 100,
      sourceCpuPercent: ((loaded.sourceCpuSeconds as number) / (loaded.seconds as number)) * 100,
      heapPerConnectionKiB: perConnection('heapUsed'),
      rssPerConnectionKiB: perConnection('rss'),
      loaded,
      serverProbe: loaded.probe as ProbeReport,
      clientProbe,
    };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 10_000);
  const rate = Number(process.env.BENCH_RATE ?? 1_000);
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const mode = process.env.BENCH_SELECTION === 'primary' ? 'primary' : 'full';
  // BENCH_SOURCE=both: every server with its source in its own process, then inside it.
  const sources =
    process.env.BENCH_SOURCE === 'both' ? (['process', 'inline'] as const) : ([sourceMode()] as const);
  const selection = mode === 'primary' ? PRIMARY : FULL;
  const measured: Measured[] = [];
  for (const source of sources) {
    const o = { connections, rate, seconds, source };
    // The baseline first, then the gateway, in the same run and on the same machine state.
    const raw = await measure(
      `raw graphql-ws fan-out, source ${source}`,
      'realtime-raw-server.js',
      selection,
      o,
    );
    const gateway = await measure(
      `gateway, ${mode} selection, source ${source}`,
      'realtime-server.js',
      selection,
      o,
    );
    measured.push(raw, gateway);
    const l = gateway.loaded;
    console.log(
      [
        `ratios gateway ÷ raw (source ${source}): p99 ${(gateway.p99 / raw.p99).toFixed(2)}×, heap per connection ${(gateway.heapPerConnectionKiB / raw.heapPerConnectionKiB).toFixed(2)}×, ` +
          `RSS per connection ${(gateway.rssPerConnectionKiB / raw.rssPerConnectionKiB).toFixed(2)}×`,
        `gateway resolution: ${l.queries} batches for ${l.resolutions} payloads, ${l.entityFetches} _entities fetches; entity cache ${JSON.stringify(l.cache)}`,
      ].join('\n'),
    );
  }
  const row = (m: Measured) =>
    `| ${m.label} | ${m.connections} | ${(m.published / m.seconds).toFixed(0)}/s | ${m.delivered} of ${m.published} (${m.errors} errors) | ` +
    `${m.p50} / ${m.p99} / ${m.max} ms | ${m.cpuPercent.toFixed(0)}% (source ${m.sourceCpuPercent.toFixed(0)}%) | ${m.heapPerConnectionKiB.toFixed(1)} / ${m.rssPerConnectionKiB.toFixed(1)} KiB |`;
  console.log(
    [
      `selection: ${selection}`,
      '',
      '| server | subscribers | changes | delivered | commit→client p50 / p99 / max | server process CPU (one core) | memory per connection heap / RSS |',
      '|---|---|---|---|---|---|---|',
      ...measured.map(row),
      '',
      ...measured.flatMap((m) => [
        `${m.label}: server process ${describeProbe(m.serverProbe)}`,
        `${m.label}: client process ${describeProbe(m.clientProbe)}`,
      ]),
    ].join('\n'),
  );
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
