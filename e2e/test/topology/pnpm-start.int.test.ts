import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { eventually, freePortRange, onRedis, testConfig, tokensFor } from '@loyalty/testing';
import { Collector, wsClient } from '../realtime/support/realtime';

/** The built launcher (`pnpm build`): what `pnpm start` runs. */
const LAUNCHER = join(__dirname, '..', '..', '..', 'apps', 'launcher', 'dist', 'main.js');

type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * `pnpm start` as shipped: one process, members, catalog and campaigns on the main thread, the
 * gateway in a worker thread and the ledger with referrals in another, events bridged between
 * them (no Redis) or all on Redis. A live subscription, the web apps, the downloads proxy and
 * readiness all go through the gateway thread; SIGTERM stops every thread.
 */
describe.each(onRedis() ? ['in-process', 'redis'] : ['in-process'])(
  'the all-in-one process with the gateway and the ledger in threads of their own (%s events)',
  (events) => {
    const config = testConfig({ LOG_LEVEL: 'info' }, { redis: events === 'redis' });
    const tokens = tokensFor(config);
    let child: ChildProcess;
    let output = '';
    let exited: Promise<number | null>;
    let base: string;

    const gql = async (query: string, variables: Record<string, unknown>, token: string) => {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: Data; errors?: unknown };
      if (!body.data || body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };

    beforeAll(async () => {
      // The subgraphs take GATEWAY_PORT + 1…5.
      const port = await freePortRange(6);
      base = `http://127.0.0.1:${port}`;
      const env: Record<string, string> = {};
      for (const [key, value] of Object.entries(config.source)) if (value !== undefined) env[key] = value;
      Object.assign(env, { PATH: String(process.env.PATH), TARGET: 'all', GATEWAY_PORT: String(port) });
      child = spawn(process.execPath, [LAUNCHER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (d) => (output += d));
      child.stderr?.on('data', (d) => (output += d));
      exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      const early = exited.then((code) => {
        throw new Error(`the launcher exited (${code}) while starting:\n${output}`);
      });
      early.catch(() => undefined);
      const ready = async () => (await fetch(`${base}/health/ready`).catch(() => null))?.ok;
      await Promise.race([eventually(ready, 120_000, 200), early]);
    }, 150_000);

    afterAll(() => {
      if (child?.exitCode === null) child.kill('SIGKILL');
    });

    it('runs the gateway in a worker thread and the ledger with referrals in another', () => {
      expect(output).toMatch(
        /"services":\["ledger","referrals"\],"threadId":\d+,"msg":"ledger\+referrals thread ready"/,
      );
      expect(output).toMatch(/"services":\[\],"threadId":\d+,"msg":"gateway thread ready"/);
    });

    it('delivers balanceChanged over graphql-ws from purchases and a redemption across the threads', async () => {
      const admin = tokens.admin();
      const { createMerchant } = await gql(
        'mutation { createMerchant(input: { name: "Thread Cafe", category: "dining" }) { id } }',
        {},
        admin,
      );
      const { registerMember } = await gql(
        'mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }',
        { i: { displayName: 'Two Threads', email: `two.threads.${events}@example.com` } },
        admin,
      );
      const memberId = registerMember.id as string;
      const partner = tokens.partner(createMerchant.id as string);
      const purchase = (orderId: string) =>
        gql(
          'mutation($i: PurchaseInput!) { recordPurchase(input: $i) { purchase { id } } }',
          { i: { merchantId: createMerchant.id, orderId, memberId, amount: 10_000 } },
          partner,
        );
      const ws = wsClient(`${base.replace('http', 'ws')}/graphql`, tokens.member(memberId));
      const changes = new Collector<{ balanceChanged: { sequence: number; balance: number } }>(
        ws.client,
        'subscription { balanceChanged(afterSequence: 0) { sequence balance } }',
      );
      try {
        await purchase('thread-1');
        const first = (await changes.waitFor(1, 30_000)).length;
        // The subscription is live now (replay, if any, is behind it): this change can only come
        // from the ledger's thread over the event bridge (or Redis).
        await purchase('thread-2');
        const items = await changes.waitFor(first + 1, 30_000);
        expect(changes.errors).toEqual([]);
        const [before, after] = items.slice(-2).map((i) => i.balanceChanged);
        expect(after.sequence).toBeGreaterThan(before.sequence);
        expect(after.balance).toBeGreaterThan(before.balance);
        // The catalog runs in the main thread, the ledger in its own: a redemption crosses both
        // ways, and its debit reaches the subscriber in the gateway's thread too.
        const { createReward } = await gql(
          'mutation($i: CreateRewardInput!) { createReward(input: $i) { id } }',
          { i: { name: 'Thread mug', kind: 'COUPON', merchantId: createMerchant.id, pointsPrice: 5 } },
          admin,
        );
        const { redeemReward } = await gql(
          'mutation($i: RedeemInput!) { redeemReward(input: $i) { status points } }',
          { i: { rewardId: createReward.id, idempotencyKey: `thread-${events}` } },
          tokens.member(memberId),
        );
        expect(redeemReward).toEqual({ status: 'CONFIRMED', points: 5 });
        const debited = await changes.waitFor(first + 2, 30_000);
        expect(debited[first + 1].balanceChanged.balance).toBe(after.balance - 5);
      } finally {
        changes.dispose();
        await ws.client.dispose();
      }
    }, 90_000);

    it('serves the web apps and proxies downloads from the gateway thread', async () => {
      const wallet = await fetch(`${base}/wallet/`);
      expect({ status: wallet.status, type: wallet.headers.get('content-type') }).toEqual({
        status: 200,
        type: expect.stringContaining('text/html'),
      });
      const audit = await fetch(`${base}/exports/audit.csv`, {
        headers: { authorization: `Bearer ${tokens.admin()}` },
      });
      expect({ status: audit.status, header: (await audit.text()).split('\n')[0] }).toEqual({
        status: 200,
        header: expect.stringContaining('createdAt,entryId,memberId'),
      });
    });

    it('stops every thread on SIGTERM with exit code 0', async () => {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await expect(fetch(`${base}/health/live`)).rejects.toThrow();
      expect(output).not.toMatch(/"level":(50|60)/);
    }, 60_000);
  },
);
