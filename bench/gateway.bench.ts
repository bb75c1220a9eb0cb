/**
 * Gateway benchmark (`pnpm bench gateway`): the member dashboard (member, balances, history with
 * merchants, redemptions with rewards, referrals, rewards list) through
 * - this project's all-in-one process (`pnpm start`: subgraphs and gateway in one process, the
 *   gateway in a worker thread unless GATEWAY_THREAD=false),
 * - this project's gateway in its own process,
 * - Hive Gateway (pinned devDependency of this package, default configuration plus forwarding
 *   the caller's `Authorization`),
 * all three on the same subgraphs (those of the all-in-one process) and supergraph, and as the
 * reference one direct members-subgraph hop (a simple `member { id displayName }`).
 *
 * Two workloads with 10 keep-alive connections: the same member on every connection, and 12
 * members in rotation. Rounds are interleaved (every target once per round, in turn) and each
 * rate is the median of its rounds, so a neighbour's burst on the shared machine hits all
 * targets alike; each ratio is the median of the rounds' own ratios, printed with their range.
 *
 * Settings: BENCH_ROUNDS (5), BENCH_ROUND_SECONDS (3), BENCH_CONNECTIONS (10).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, TokenService } from '@loyalty/platform';
import { DASHBOARD_QUERY } from '@loyalty/testing';
import { startHive } from './hive-gateway';
import { child } from './child';
import { post } from './http';
import { median } from './stats';

const DIRECT = 'query Direct($id: ID!) { member(id: $id) { id displayName } }';

interface Target {
  name: string;
  url: string;
  query: string;
  /** Our gateways: the process whose subgraph fetches are counted. */
  stats?: () => Promise<Record<string, { requested: number; sent: number }>>;
}

/** Requests per second with `connections` loops for `seconds`; errors counted. */
async function load(
  target: Target,
  members: string[],
  tokens: Map<string, string>,
  connections: number,
  seconds: number,
): Promise<{ rps: number; errors: number; requests: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const url = new URL(target.url);
  let done = 0;
  let errors = 0;
  let next = 0;
  const until = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        const id = members[next++ % members.length];
        const body = JSON.stringify({ query: target.query, variables: { id } });
        try {
          const res = await post(agent, url, body, tokens.get(id) as string);
          if (res.errors || !res.data) errors++;
        } catch {
          errors++;
        }
        done++;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return { rps: done / elapsed, errors, requests: done };
}

export async function run(): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const seconds = Number(process.env.BENCH_ROUND_SECONDS ?? 3);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
  const dir = mkdtempSync(join(tmpdir(), 'loyalty-bench-gateway-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: join(dir, 'data'),
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    BENCH_MEMBERS: '12',
  };
  delete env.MYSQL_URL;
  delete env.REDIS_URL;
  delete env.GATEWAY_PORT;
  const graph = child('gateway-server.js', ['graph'], env);
  let own: ReturnType<typeof child> | null = null;
  let hive: { url: string; proc: ChildProcess } | null = null;
  try {
    const ready = await graph.reply('ready');
    const peers = ready.peers as Record<string, string>;
    const memberIds = ready.memberIds as string[];
    own = child('gateway-server.js', ['gateway'], { ...env, PEER_URLS: JSON.stringify(peers) });
    const ownReady = await own.reply('ready');
    // The children share DATA_DIR, so they all use the development keys generated there.
    const tokens = TokenService.fromConfig(
      loadConfig({ DATA_DIR: env.DATA_DIR, NODE_ENV: 'development' }, {}),
    );
    hive = await startHive(dir, peers, await tokens.signService('hive-gateway'));
    const memberTokens = new Map(
      await Promise.all(
        memberIds.map(async (id) => [id, await tokens.sign({ role: 'member', sub: id })] as const),
      ),
    );
    const ownChild = own;
    const targets: Target[] = [
      {
        name: 'this project, all-in-one (pnpm start)',
        url: ready.url as string,
        query: DASHBOARD_QUERY,
        stats: async () => (await graph.ask('stats')).stats as never,
      },
      {
        name: 'this project, gateway in its own process',
        url: ownReady.url as string,
        query: DASHBOARD_QUERY,
        stats: async () => (await ownChild.ask('stats')).stats as never,
      },
      { name: 'Hive Gateway 2.15.1, default config', url: hive.url, query: DASHBOARD_QUERY },
      { name: 'one direct members-subgraph hop (simple query)', url: peers.members, query: DIRECT },
    ];
    // Every target answers the dashboard correctly before anything is timed.
    const agent = new Agent({ keepAlive: true });
    for (const t of targets) {
      const res = await post(
        agent,
        new URL(t.url),
        JSON.stringify({ query: t.query, variables: { id: memberIds[0] } }),
        memberTokens.get(memberIds[0]) as string,
      );
      if (res.errors || !res.data) throw new Error(`${t.name}: ${JSON.stringify(res.errors)}`);
    }
    agent.destroy();
    const workloads = [
      { name: 'same member on all connections', members: [memberIds[0]] },
      { name: `${memberIds.length} rotating members`, members: memberIds },
    ];
    const rps = new Map<string, number[]>();
    const fetches = new Map<string, number[]>();
    let errors = 0;
    // Warm-up (JIT, plans, pools): one short pass per target and workload, not recorded.
    for (const w of workloads)
      for (const t of targets) await load(t, w.members, memberTokens, connections, 1);
    for (let r = 0; r < rounds; r++) {
      for (const w of workloads) {
        // Rotate the starting target each round so no target always runs first.
        for (let k = 0; k < targets.length; k++) {
          const t = targets[(k + r) % targets.length];
          const before = await t.stats?.();
          const res = await load(t, w.members, memberTokens, connections, seconds);
          const after = await t.stats?.();
          errors += res.errors;
          const key = `${w.name}\u0000${t.name}`;
          rps.set(key, [...(rps.get(key) ?? []), res.rps]);
          if (before && after) {
            const sent =
              Object.values(after).reduce((s, x) => s + x.sent, 0) -
              Object.values(before).reduce((s, x) => s + x.sent, 0);
            fetches.set(key, [...(fetches.get(key) ?? []), sent / res.requests]);
          }
        }
      }
    }
    const hiveName = targets[2].name;
    // A ratio is taken within each round (both sides measured seconds apart, on much the same
    // machine state), then the median of the rounds; the range shows how far the rounds spread,
    // which on a shared machine decides whether a target near the line is met.
    const ratio = (mine: number[], other: number[]) => {
      const perRound = mine.map((x, k) => x / other[k]);
      const lo = Math.min(...perRound);
      const hi = Math.max(...perRound);
      return `${median(perRound).toFixed(2)}× (rounds ${lo.toFixed(2)}–${hi.toFixed(2)})`;
    };
    const directName = targets[3].name;
    const lines = [
      `${rounds} interleaved rounds of ${seconds} s, ${connections} connections; rates are medians of the rounds, ratios medians of the rounds' ratios (their range in brackets)`,
      '',
      `| gateway | ${workloads.map((w) => w.name).join(' | ')} |`,
      `|---|${workloads.map(() => '---').join('|')}|`,
    ];
    for (const t of targets) {
      const cells = workloads.map((w) => {
        const mine = rps.get(`${w.name}\u0000${t.name}`) ?? [];
        const m = median(mine);
        const f = fetches.get(`${w.name}\u0000${t.name}`);
        const parts = [`${m.toFixed(0)} rps`];
        if (t.name !== hiveName && t.name !== directName)
          parts.push(`${ratio(mine, rps.get(`${w.name}\u0000${hiveName}`) ?? [])} Hive`);
        if (t.name !== directName)
          parts.push(`${ratio(mine, rps.get(`${w.name}\u0000${directName}`) ?? [])} direct`);
        if (f) parts.push(`${median(f).toFixed(1)} subgraph fetches/request`);
        return parts.join(', ');
      });
      lines.push(`| ${t.name} | ${cells.join(' | ')} |`);
    }
    lines.push('', `errors: ${errors}`);
    console.log(lines.join('\n'));
  } finally {
    hive?.proc.kill();
    await own?.stop();
    await graph.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
