/**
 * Child process of the realtime benchmark's baseline: a plain graphql-ws server (graphql-js
 * `subscribe`, `ws`, the same token check at connection) fanning each change out to its member's
 * subscribers, answering the same selection with its entity fields known in advance. The same
 * clients, and the same paced source in its own process (realtime-raw-source.ts) sending batches
 * over IPC, as realtime-server.ts: what the gateway adds on top of raw graphql-ws fan-out.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { Authenticator, loadConfig } from '@loyalty/platform';
import { startProbe } from './realtime-probe';
import { startRawSource, type RawChange } from './realtime-raw-source';
import { openSource, sourceMode } from './realtime-source';

type Command =
  { type: 'memory' } | { type: 'stats' } | { type: 'load'; rate: number; seconds: number } | { type: 'stop' };

type Change = RawChange['change'];

const send = (message: unknown) => process.send?.(message);

const schema = buildSchema(`
  type Query { ok: Boolean }
  type Member { displayName: String! tier: String! }
  type Merchant { name: String! }
  type LedgerEntry { type: String! description: String! merchant: Merchant }
  type BalanceChange {
    sequence: Int!
    delta: Int!
    balance: Int!
    kind: String!
    member: Member!
    entry: LedgerEntry!
  }
  type Subscription { balanceChanged: BalanceChange! }
`);

/** A subscriber's queue as an async iterator (what graphql-js `subscribe` consumes). */
function channel(onEnd: () => void) {
  const queue: Change[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  const end = async (): Promise<IteratorReturnResult<undefined>> => {
    if (!done) onEnd();
    done = true;
    (wake as (() => void) | null)?.();
    return { value: undefined, done: true };
  };
  const iterator: AsyncIterableIterator<{ balanceChanged: Change }, undefined> = {
    async next() {
      for (;;) {
        const value = queue.shift();
        if (value) return { value: { balanceChanged: value }, done: false };
        if (done) return { value: undefined, done: true };
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    },
    return: end,
    throw: end,
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return {
    iterator,
    push(change: Change) {
      queue.push(change);
      (wake as (() => void) | null)?.();
    },
  };
}

async function main() {
  const members = Number(process.env.BENCH_MEMBERS ?? 10_000);
  // Same DATA_DIR as the bench: the development keys generated there verify its tokens.
  const authenticator = Authenticator.fromConfig(loadConfig());
  const ids = Array.from({ length: members }, () => randomUUID());
  const sinks = new Map<string, Set<(c: Change) => void>>();
  const source = await openSource(
    sourceMode(),
    join(__dirname, 'realtime-raw-source.js'),
    startRawSource,
    (items) => {
      for (const { memberId, change } of items as RawChange[])
        for (const sink of sinks.get(memberId) ?? []) sink(change);
    },
  );
  let active = 0;
  const httpServer = createServer();
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 256 * 1024 });
  useServer<{ authorization?: string }, { memberId?: string }>(
    {
      schema,
      onConnect: async (ctx) => {
        try {
          const principal = await authenticator.authenticate(ctx.connectionParams?.authorization);
          if (!principal) return false;
          ctx.extra.memberId = principal.sub;
          return true;
        } catch {
          return false;
        }
      },
      context: (ctx) => ({ memberId: ctx.extra.memberId }),
      roots: {
        subscription: {
          balanceChanged: (_args: unknown, context: { memberId: string }) => {
            const set = sinks.get(context.memberId) ?? new Set();
            sinks.set(context.memberId, set);
            active++;
            const c = channel(() => {
              active--;
              set.delete(c.push);
            });
            set.add(c.push);
            return c.iterator;
          },
        },
      },
    },
    wss,
    0,
  );
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', () => r()));
  const port = (httpServer.address() as AddressInfo).port;
  send({ type: 'ready', wsUrl: `ws://127.0.0.1:${port}/graphql`, memberIds: ids, registerMs: 0 });

  process.on('message', async (command: Command) => {
    if (command.type === 'memory') {
      for (let i = 0; i < 3; i++) {
        (globalThis as { gc?: () => void }).gc?.();
        await new Promise((r) => setTimeout(r, 100));
      }
      send({ type: 'memory', memory: process.memoryUsage() });
    } else if (command.type === 'stats') {
      send({ type: 'stats', stats: { subscriptions: active } });
    } else if (command.type === 'load') {
      // The same event source as the gateway's, in a process of its own, its batches over IPC.
      const cpu = process.cpuUsage();
      const probe = startProbe();
      const paced = await source.load({ ...command, memberIds: ids });
      const used = process.cpuUsage(cpu);
      send({
        type: 'loaded',
        published: paced.published,
        seconds: paced.seconds,
        cpuSeconds: (used.user + used.system) / 1e6,
        sourceCpuSeconds: paced.cpuSeconds,
        queries: 0,
        resolutions: 0,
        entityFetches: 0,
        probe: probe.stop(),
        commits: paced.commits,
      });
    } else if (command.type === 'stop') {
      await source.stop();
      for (const client of wss.clients) client.terminate();
      wss.close();
      httpServer.close();
      send({ type: 'stopped' });
      process.exit(0);
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
