/**
 * Purchase benchmark (`pnpm bench purchase`): `recordPurchase` end to end through the gateway of
 * the all-in-one graph (five subgraphs and the gateway in this process, placed as `pnpm start`
 * places them: the gateway with GATEWAY_THREAD_SERVICES in a worker thread, or everything on one
 * thread with GATEWAY_THREAD=false), against the ledger bench's raw earn transaction on the same database in the same
 * process (raw mysql2 or better-sqlite3: lock the account, update the balance, insert an entry and
 * a lot, commit).
 *
 * The purchase is a typical one: a 100-yuan order with one green item, at a merchant with its own
 * earn rate, while a budgeted 2× campaign for the merchant's category is in force, so it earns
 * three awards (base REGULAR, GREEN, campaign bonus) and three ledger credits. Members rotate over
 * 256 so the load is not one hot account. Rounds are interleaved (raw, purchase, purchase, raw, …)
 * and each figure is the median over rounds; p99 is of the purchase latencies of all rounds.
 * The clients run in a process of their own (purchase-load.ts), as the gateway and realtime
 * benchmarks' do: the platform's threads do not also run the load (they still share the cores).
 * CPU per purchase is this process's CPU time (all its threads) while purchases ran (relays and
 * consumers drained included) over the purchases recorded, and the clients' own beside it; it
 * moves less with the machine's load than rates do.
 * The CPU budget (purchase-cost.ts) puts the database server's CPU (MariaDB on this machine) and
 * a `previewPurchase` of the same order (one gateway hop, the rules evaluated, nothing written)
 * beside it, and says what 0.25× of the raw rate leaves the platform on these cores.
 * SQL per purchase counts every statement the five data sources send while the load runs
 * (transaction control, outbox relays, ledger poster and event consumers included), divided by
 * the purchases recorded.
 *
 *   pnpm bench purchase                              # SQLite, and MariaDB at MYSQL_URL (default mysql://root@127.0.0.1:3306)
 *   PURCHASE_BENCH_DB=mysql pnpm bench purchase      # one database only (sqlite | mysql)
 *   PURCHASE_BENCH_ROUNDS=5 PURCHASE_BENCH_SECONDS=3 pnpm bench purchase
 *   GATEWAY_THREAD=false pnpm bench purchase         # the whole graph on one thread
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import {
  dropMysqlDatabase,
  generateSigningJwk,
  loadConfig,
  SERVICE_NAMES,
  type RunningService,
} from '@loyalty/platform';
import { loadLauncherConfig, placementOf, startGraph } from '@loyalty/launcher';
import { seedGroceryProgramme, tokensFor } from '@loyalty/testing';
import { child } from './child';
import { post } from './http';
import { baselineBesideLedger, type Baseline } from './ledger-raw';
// Type only: importing the module itself would start a clients' process loop here.
import type { LoadResult } from './purchase-load';
import { orderVariables, RECORD } from './purchase-order';
import { CostMeter, cpuBudget } from './purchase-cost';
import { forDuration, median } from './stats';

const CLIENTS = [8, 32];
const ROUNDS = Number(process.env.PURCHASE_BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.PURCHASE_BENCH_SECONDS ?? 3);
const MEMBERS = 256;

type Db = 'sqlite' | 'mysql';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read by path
type Data = Record<string, any>;

/** One GraphQL request; rejects on a GraphQL error. */
async function ask(agent: Agent, url: URL, query: string, variables: unknown, token: string): Promise<Data> {
  const res = await post(agent, url, JSON.stringify({ query, variables }), token);
  if (res.errors || !res.data) throw new Error(JSON.stringify(res.errors));
  return res.data as Data;
}

const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? 0;
};

async function benchOn(kind: Db): Promise<void> {
  const mysqlUrl = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
  const prefix = `pbench${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'purchase-bench-'));
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      ...(kind === 'mysql' ? { MYSQL_URL: mysqlUrl } : {}),
      DATABASE_PREFIX: prefix,
      HOST: '127.0.0.1',
      AUTH_SIGNING_KEY: JSON.stringify(generateSigningJwk('user')),
      AUTH_SERVICE_SIGNING_KEY: JSON.stringify(generateSigningJwk('service')),
      RATE_LIMIT_ANONYMOUS: '0',
      RATE_LIMIT_PARTNER: '0',
    },
    {},
  );
  // The same placement as `pnpm start` (apps/launcher/src/main.ts).
  const graph = await startGraph({ config, ephemeralPorts: true, ...placementOf(loadLauncherConfig()) });
  const threads = [...(graph.gatewayThread ? [graph.gatewayThread] : []), ...graph.serviceThreads];
  const placement = threads.length
    ? `threads: main with ${Object.keys(graph.services).join(', ')}; ${threads.map((t) => t.label.replaceAll('+', ', ')).join('; ')}`
    : 'one thread';
  const tokens = tokensFor(config);
  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(...CLIENTS) });
  const url = new URL(graph.url);
  const gql = (query: string, variables: unknown, token = tokens.admin()) =>
    ask(agent, url, query, variables, token);
  let raw: Baseline | null = null;
  let load: ReturnType<typeof child> | null = null;
  let meter: CostMeter | null = null;
  try {
    raw = await baselineBesideLedger({ config, kind, mysqlUrl, prefix, dataDir });
    const baseline = raw;

    // Seed through GraphQL: a merchant with its own rates, a budgeted campaign, members.
    const merchant = await seedGroceryProgramme((q, v) => gql(q, v ?? {}), 'Bench Grocer', 1_000_000_000);
    const members: string[] = [];
    for (let i = 0; i < MEMBERS; i += 16) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(16, MEMBERS - i) }, (_, k) =>
          gql('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', {
            i: { displayName: `Bench ${i + k}`, email: `bench${i + k}@example.com` },
          }),
        ),
      );
      members.push(...batch.map((d) => d.registerMember.id as string));
    }
    await baseline.seedAccounts(members);
    const partner = tokens.partner(merchant);
    const pick = () => members[Math.floor(Math.random() * members.length)];
    const first = (await gql(RECORD, orderVariables(merchant, 'bench-first', pick()), partner)).recordPurchase
      .awards as { status: string }[];
    if (first.length !== 3) throw new Error(`expected 3 awards, got ${JSON.stringify(first)}`);
    load = child('purchase-load.js', [], process.env);
    await load.reply('ready');
    const loader = load;
    /** `clients` concurrent purchases for `seconds`, from the clients' process. */
    const purchases = async (clients: number, seconds: number, preview = false) => {
      const r = (await loader.ask('run', {
        url: graph.url,
        token: partner,
        merchant,
        members,
        clients,
        seconds,
        preview,
      })) as unknown as LoadResult;
      if (r.failed || r.errors > 0) throw new Error(`purchases failed: ${r.failed ?? `${r.errors} errors`}`);
      return r;
    };
    const services = Object.values(graph.services) as RunningService<unknown>[];
    // Subgraphs in worker threads are flushed and counted there.
    const counted = async (flush = false) => {
      const per: Record<string, number> = {};
      for (const t of threads) Object.assign(per, await t.serviceCounts(flush));
      for (const s of services) per[s.name] = s.runtime.db.queries.roundTrips;
      return per;
    };
    const drain = async () => {
      for (const s of services) await s.relay.flush();
      for (const t of threads) await t.serviceCounts(true);
    };
    // Warm-up (JIT, pools, caches), not recorded.
    await purchases(8, 1);
    await forDuration(8, 1, () => baseline.earn(pick()));

    const samples = CLIENTS.map(() => ({
      raw: [] as number[],
      purchase: [] as number[],
      ratio: [] as number[],
    }));
    const latencyAt = new Map<number, number[]>(CLIENTS.map((c) => [c, []]));
    const sqlPer = new Map<string, number[]>();
    // Closed in `finally`, with the other handles.
    const costs = (meter = await CostMeter.open(kind === 'mysql' ? mysqlUrl : null));
    const previewRates: number[] = [];
    const topAt = CLIENTS.length - 1;
    const top = CLIENTS[topAt];
    // Where the tail comes from: the main thread's event-loop stalls and its GC pauses while
    // purchases run (a stall delays every request in flight on that thread at once).
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const stalls = {
      p99: [] as number[],
      max: [] as number[],
      busy: [] as number[],
      threads: threads.map(() => [] as number[]),
    };
    const gcPauses: number[] = [];
    let measuring = false;
    const gc = new PerformanceObserver((list) => {
      if (measuring) for (const e of list.getEntries()) gcPauses.push(e.duration);
    });
    gc.observe({ entryTypes: ['gc'] });
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [i, clients] of CLIENTS.entries()) {
        const runRaw = () =>
          costs.measure(
            'raw',
            clients,
            () => forDuration(clients, SECONDS, () => baseline.earn(pick())),
            clients === top,
          );
        const runPurchase = async () => {
          await drain();
          const before = await counted();
          loopDelay.reset();
          const elu = performance.eventLoopUtilization();
          const threadElu = threads.map((t) => t.eventLoopUtilization());
          // The CPU of the drain after the rounds is the purchases' too: relays and consumers.
          const r = await costs.measure(
            'purchase',
            clients,
            async () => {
              measuring = true;
              const done = await purchases(clients, SECONDS);
              measuring = false;
              stalls.p99.push(loopDelay.percentile(99) / 1e6);
              stalls.max.push(loopDelay.max / 1e6);
              stalls.busy.push(performance.eventLoopUtilization(elu).utilization);
              for (const [k, t] of threads.entries())
                stalls.threads[k].push(t.eventLoopUtilization(threadElu[k]).utilization);
              await drain();
              return done;
            },
            clients === top,
          );
          const after = await counted();
          for (const name of Object.keys(after)) {
            sqlPer.set(name, [...(sqlPer.get(name) ?? []), (after[name] - before[name]) / r.done]);
          }
          latencyAt.get(clients)?.push(...r.latencies);
          return r;
        };
        // The same request with nothing written, at the top client count only: the part of a
        // purchase's cost that its writes do not explain.
        const runPreview = async () => {
          if (clients !== top) return;
          const r = await costs.measure('preview', clients, () => purchases(clients, SECONDS, true), true);
          previewRates.push(r.rate);
        };
        if (round % 2) await runPreview();
        const [a, b] =
          round % 2 ? [await runPurchase(), await runRaw()].reverse() : [await runRaw(), await runPurchase()];
        if (!(round % 2)) await runPreview();
        samples[i].raw.push(a.rate);
        samples[i].purchase.push(b.rate);
        samples[i].ratio.push(b.rate / a.rate);
      }
    }
    gc.disconnect();
    loopDelay.disable();
    console.log(`\n## ${kind === 'mysql' ? 'MariaDB/MySQL' : 'SQLite'} (${placement})`);
    console.log(`${ROUNDS} interleaved rounds of ${SECONDS} s, medians; ${MEMBERS} rotating members\n`);
    console.log('| clients | raw earn tx/s | recordPurchase/s | ratio | p50 ms | p99 ms |');
    console.log('|---:|---:|---:|---:|---:|---:|');
    for (const [i, clients] of CLIENTS.entries()) {
      const l = latencyAt.get(clients) ?? [];
      console.log(
        `| ${clients} | ${median(samples[i].raw).toFixed(0)} | ${median(samples[i].purchase).toFixed(1)} | ${median(samples[i].ratio).toFixed(3)}× | ${median(l).toFixed(1)} | ${p99(l).toFixed(1)} |`,
      );
    }
    const cost = costs.cost('purchase');
    console.log(
      `\nCPU per purchase: ${cost.here.toFixed(1)} ms in the platform (this process, all threads: gateway, five subgraphs, relays, consumers), ${cost.clients.toFixed(1)} ms in the clients' process${
        cost.server === null ? '' : `, ${cost.server.toFixed(1)} ms in the database server`
      }`,
    );
    const budget = cpuBudget(
      costs,
      {
        clients: top,
        rawRate: median(samples[topAt].raw),
        purchaseRate: median(samples[topAt].purchase),
        previewRate: median(previewRates),
      },
      kind === 'mysql' && cost.server === null,
    );
    console.log(budget.join('\n'));
    const gcSorted = [...gcPauses].sort((x, y) => x - y);
    console.log(
      `\nMain thread while purchases ran: busy ${(median(stalls.busy) * 100).toFixed(0)}% of the time${
        threads.length
          ? ` (${threads.map((t, k) => `${t.label} thread ${(median(stalls.threads[k]) * 100).toFixed(0)}%`).join(', ')})`
          : ''
      }; event-loop delay p99 ${median(stalls.p99).toFixed(0)} ms (median of the runs), longest ${Math.max(
        ...stalls.max,
      ).toFixed(0)} ms; GC ${gcPauses.length} pauses, ${gcPauses
        .reduce((t, d) => t + d, 0)
        .toFixed(
          0,
        )} ms in all, p99 / max ${p99(gcSorted).toFixed(1)} / ${(gcSorted.at(-1) ?? 0).toFixed(1)} ms`,
    );
    const perService = SERVICE_NAMES.map((n) => [n, median(sqlPer.get(n) ?? [0])] as const);
    const total = perService.reduce((s, [, v]) => s + v, 0);
    console.log(
      `\nSQL round trips per purchase (all five databases, background work included): ${total.toFixed(1)} — ${perService
        .map(([n, v]) => `${n} ${v.toFixed(1)}`)
        .join(', ')}`,
    );
  } finally {
    agent.destroy();
    await load?.stop();
    await meter?.close();
    await raw?.close();
    await graph.stop();
    if (kind === 'mysql') {
      for (const s of SERVICE_NAMES)
        await dropMysqlDatabase(mysqlUrl, `${prefix}_${s}`).catch(() => undefined);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const only = process.env.PURCHASE_BENCH_DB as Db | undefined;
  const kinds: Db[] = only ? [only] : ['sqlite', 'mysql'];
  for (const kind of kinds) await benchOn(kind);
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
