import WebSocket from 'ws';
import { eventually, graphqlRequest, testConfig, tokensFor } from '@loyalty/testing';
import {
  Collector,
  settledSubscriptions,
  startRealtimeGraph,
  subscriptionsAtLeast,
  subscriptionsAtMost,
  wsClient,
  type RealtimeGraph,
} from './support/realtime';

const REGISTER = `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`;

/** A hand-driven graphql-ws client whose reading can be paused (a slow consumer). */
async function rawClient(wsUrl: string, token: string) {
  const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
  const messages: { type: string; id?: string; payload?: unknown }[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const acknowledged = new Promise<void>((resolve) =>
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; id?: string; payload?: unknown };
      messages.push(message);
      if (message.type === 'connection_ack') resolve();
    }),
  );
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await acknowledged;
  return { ws, messages, closed };
}

describe('realtime operations: limits, slow consumers, shutdown', () => {
  const config = testConfig();
  const keepAliveConfig = testConfig();
  const tokens = tokensFor(config);
  let rt: RealtimeGraph;

  beforeAll(async () => {
    rt = await startRealtimeGraph(config, {
      limits: { maxConnections: 4, maxPending: 20, maxSubscriptionsPerConnection: 2, keepAliveMs: 30_000 },
    });
  });
  afterAll(() => rt?.stop());
  // Tests count subscriptions from zero: none of an earlier test's may still be closing.
  afterEach(() => subscriptionsAtMost(rt, 0));

  const register = async () =>
    (
      await graphqlRequest(rt.url, REGISTER, {
        input: { displayName: 'Ops', email: `ops${Math.random()}@example.com` },
      })
    ).data!.registerMember.id as string;

  it('closes a subscriber that falls too far behind (1013, resumable) without slowing the others', async () => {
    const base = await settledSubscriptions(rt);
    const memberId = await register();
    const token = tokens.member(memberId);
    const slow = await rawClient(rt.wsUrl, token);
    slow.ws.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: 'subscription { balanceChanged { sequence entry { description } } }' },
      }),
    );
    const fast = wsClient(rt.wsUrl, token);
    const ok = new Collector<{ balanceChanged: { sequence: number } }>(
      fast.client,
      'subscription { balanceChanged { sequence } }',
    );
    await subscriptionsAtLeast(rt, base + 2);
    // Stop reading: the kernel buffers fill up, then the gateway's queue for this subscriber.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'x'.repeat(64 * 1024);
    const total = 200;
    // Paced by the reader that keeps up: the slow one falls behind by volume, not by a burst.
    for (let i = 0; i < total; i++) {
      await rt.ledger.change(memberId, 1, { description: big });
      await ok.waitFor(i + 1, 30_000);
    }
    const got = await ok.waitFor(total, 30_000);
    expect(ok.errors).toEqual([]);
    expect(got.map((g) => g.balanceChanged.sequence)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const closed = await slow.closed;
    expect(closed.code).toBe(1013);
    expect(closed.reason).toMatch(/SLOW_CONSUMER.*afterSequence/);
    expect(rt.gateway.realtime.stats().slowConsumersClosed).toBe(1);
    // It can resume from the last sequence it saw.
    const seen = slow.messages.filter((m) => m.type === 'next').length;
    const resumed = wsClient(rt.wsUrl, token);
    const rest = new Collector<{ balanceChanged: { sequence: number } }>(
      resumed.client,
      'subscription($a: Int) { balanceChanged(afterSequence: $a) { sequence } }',
      { a: seen },
    );
    const replayed = await rest.waitFor(total - seen, 20_000);
    expect(replayed[0].balanceChanged.sequence).toBe(seen + 1);
    expect(replayed.at(-1)!.balanceChanged.sequence).toBe(total);
    ok.dispose();
    rest.dispose();
    await fast.client.dispose();
    await resumed.client.dispose();
  }, 60_000);

  it('limits subscriptions per connection and connections per process', async () => {
    const memberId = await register();
    const token = tokens.member(memberId);
    const one = wsClient(rt.wsUrl, token);
    const subs = [0, 1, 2].map(() => new Collector(one.client, 'subscription { pointsExpiring { points } }'));
    const errors = await subs[2].waitForError();
    expect(errors[0].extensions?.code).toBe('LIMIT_REACHED');
    subs.forEach((s) => s.dispose());

    await one.client.dispose();
    // Every earlier connection is closed by now; wait until the gateway has counted them out.
    await eventually(async () => rt.gateway.realtime.stats().connections === 0);
    const sockets: WebSocket[] = [];
    const room = 4 - rt.gateway.realtime.stats().connections;
    expect(room).toBeGreaterThan(0);
    for (let i = 0; i < room; i++) {
      const ws = new WebSocket(rt.wsUrl, 'graphql-transport-ws');
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      sockets.push(ws);
    }
    const refused = new WebSocket(rt.wsUrl, 'graphql-transport-ws');
    const status = await new Promise<number>((resolve) => {
      refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      refused.once('error', () => resolve(-1));
    });
    expect(status).toBe(503);
    sockets.forEach((s) => s.terminate());
    await eventually(async () => rt.gateway.realtime.stats().connections === 0);
  });

  it('keeps connections alive with pings, and drops clients that stop answering', async () => {
    const short = await startRealtimeGraph(keepAliveConfig, { limits: { keepAliveMs: 500 } });
    const token = tokensFor(keepAliveConfig).admin();
    const alive = await rawClient(short.wsUrl, token);
    let pings = 0;
    alive.ws.on('ping', () => pings++);
    await eventually(async () => pings >= 2, 5_000, 20);
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    alive.ws.close();
    // A client that never answers pings (autoPong off) is terminated after one interval.
    const mute = new WebSocket(short.wsUrl, 'graphql-transport-ws', { autoPong: false });
    const closed = new Promise<number>((resolve) => mute.on('close', (code) => resolve(code)));
    await new Promise((resolve) => mute.once('open', resolve));
    mute.send(
      JSON.stringify({
        type: 'connection_init',
        payload: { authorization: `Bearer ${token}` },
      }),
    );
    const started = Date.now();
    expect(await closed).toBe(1006);
    expect(Date.now() - started).toBeLessThan(3_000);
    await short.stop();
  });

  it('completes subscriptions on shutdown with 1001 (going away)', async () => {
    const base = await settledSubscriptions(rt);
    const memberId = await register();
    const client = wsClient(rt.wsUrl, tokens.member(memberId));
    const sub = new Collector(client.client, 'subscription { balanceChanged { sequence } }');
    await subscriptionsAtLeast(rt, base + 1);
    expect(rt.gateway.realtime.stats().subscriptions).toBeGreaterThanOrEqual(1);
    await rt.gateway.stop();
    const closed = await client.closed;
    expect(closed.code).toBe(1001);
    expect(closed.reason).toMatch(/shutting down/);
    expect(sub.errors.length + (sub.completed ? 1 : 0)).toBeGreaterThanOrEqual(0);
    expect(rt.gateway.realtime.stats().subscriptions).toBe(0);
  });
});
