/**
 * Child processes of the gateway benchmark (gateway.bench.ts):
 * - `graph`: the all-in-one process as `pnpm start` runs it (five subgraphs, SQLite, in-process
 *   events, and the gateway with GATEWAY_THREAD_SERVICES in a worker thread unless GATEWAY_THREAD=false), seeded with members
 *   whose dashboards have something to show;
 * - `gateway`: this project's gateway alone, on the `graph` process's subgraphs (PEER_URLS).
 * Each reports its URLs to the parent over IPC, and its subgraph fetch counters when asked.
 */
import 'reflect-metadata';
import { loadConfig, PeerDirectory, SERVICE_NAMES, TokenService, type ServiceName } from '@loyalty/platform';
import { loadLauncherConfig, placementOf, startGraph } from '@loyalty/launcher';
import { startGateway, type RunningGateway } from '@loyalty/gateway';

const send = (message: unknown) => process.send?.(message);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the seed reads answers by path
type Data = Record<string, any>;
type Gql = (query: string, variables: Record<string, unknown>, token: string) => Promise<Data>;

function client(url: string): Gql {
  return async (query, variables, token) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: Data; errors?: unknown };
    if (!body.data || body.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
}

/**
 * Members with a dashboard worth reading: ten purchases at one merchant (ten identical Merchant
 * representations in the history fetch), two redemptions, one referral; a catalog of rewards.
 */
async function seed(gql: Gql, tokens: TokenService, count: number): Promise<string[]> {
  const admin = await tokens.sign({ role: 'admin', sub: 'bench' });
  const merchant = (
    await gql(
      'mutation { createMerchant(input: { name: "Bench Coffee", category: "dining" }) { id } }',
      {},
      admin,
    )
  ).createMerchant.id as string;
  const partner = await tokens.sign({ role: 'partner', sub: `partner:${merchant}`, merchantId: merchant });
  const rewards: string[] = [];
  for (let r = 0; r < 5; r++) {
    const reward = await gql(
      'mutation($i: CreateRewardInput!) { createReward(input: $i) { id } }',
      {
        i: { name: `Reward ${r}`, kind: 'COUPON', merchantId: merchant, pointsPrice: 5 + r, stock: 100_000 },
      },
      admin,
    );
    rewards.push(reward.createReward.id as string);
  }
  const register = async (name: string) =>
    (
      await gql(
        'mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id referralCode } }',
        { i: { displayName: name, email: `${name.replace(/\W/g, '').toLowerCase()}@example.com` } },
        admin,
      )
    ).registerMember as { id: string; referralCode: string };
  const members = await Promise.all(Array.from({ length: count }, (_, i) => register(`Bench Member ${i}`)));
  for (const [i, m] of members.entries()) {
    for (let p = 0; p < 10; p++) {
      await gql(
        'mutation($i: PurchaseInput!) { recordPurchase(input: $i) { purchase { id } } }',
        { i: { merchantId: merchant, orderId: `bench-${i}-${p}`, memberId: m.id, amount: 10_000 } },
        partner,
      );
    }
    const invitee = await register(`Bench Invitee ${i}`);
    await gql(
      'mutation($m: ID, $c: String!) { applyReferralCode(memberId: $m, code: $c) { id } }',
      { m: invitee.id, c: m.referralCode },
      admin,
    );
  }
  // Points arrive through the command outbox: wait for them, then redeem.
  for (const [i, m] of members.entries()) {
    const own = await tokens.sign({ role: 'member', sub: m.id });
    for (let t = 0; ; t++) {
      const d = await gql('query($id: ID!) { member(id: $id) { balance } }', { id: m.id }, own);
      if ((d.member.balance as number) >= 50) break;
      if (t > 200) throw new Error(`member ${m.id} got no points`);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (let k = 0; k < 2; k++) {
      await gql(
        'mutation($i: RedeemInput!) { redeemReward(input: $i) { id } }',
        { i: { rewardId: rewards[k], idempotencyKey: `bench-${i}-${k}` } },
        own,
      );
    }
  }
  return members.map((m) => m.id);
}

type Stats = () => Promise<ReturnType<RunningGateway['subgraphStats']>>;

async function main() {
  const mode = process.argv[2];
  const config = loadConfig({ LOG_LEVEL: 'warn' });
  let stop: () => Promise<void>;
  let stats: Stats;
  if (mode === 'graph') {
    // The same gateway placement as `pnpm start` (apps/launcher/src/main.ts).
    const graph = await startGraph({ config, ephemeralPorts: true, ...placementOf(loadLauncherConfig()) });
    stats = async () => (await graph.gatewayThread?.subgraphStats()) ?? graph.gateway?.subgraphStats() ?? {};
    const tokens = TokenService.fromConfig(config);
    const memberIds = await seed(client(graph.url), tokens, Number(process.env.BENCH_MEMBERS ?? 12));
    send({ type: 'ready', url: graph.url, peers: Object.fromEntries(graph.peers.entries()), memberIds });
    stop = () => graph.stop();
  } else {
    const urls = JSON.parse(process.env.PEER_URLS ?? '{}') as Record<ServiceName, string>;
    const peers = PeerDirectory.fromConfig(config);
    for (const name of SERVICE_NAMES) peers.set(name, urls[name]);
    const gateway = await startGateway({ config, peers, port: 0 });
    stats = async () => gateway.subgraphStats();
    send({ type: 'ready', url: gateway.url });
    stop = () => gateway.stop();
  }
  process.on('message', async (m: { type: string }) => {
    if (m.type === 'stats') send({ type: 'stats', stats: await stats() });
    else if (m.type === 'stop') {
      await stop();
      send({ type: 'stopped' });
      process.exit(0);
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
