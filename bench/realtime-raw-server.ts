/**
 * Child process of the realtime benchmark's baseline: a plain graphql-ws server (graphql-js
 * `subscribe`, `ws`, the same token check at connection) fanning each change out to its member's
 * subscribers, answering the same selection with its entity fields known in advance. Same IPC and event source as
 * realtime-server.ts, so the two are measured alike: what the gateway adds on top of raw
 * graphql-ws fan-out.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { Authenticator, loadConfig } from '@loyalty/platform';

type Command =
  { type: 'memory' } | { type: 'stats' } | { type: 'load'; rate: number; seconds: number } | { type: 'stop' };

interface Change {
  sequence: number;
  delta: number;
  balance: number;
  kind: string;
  createdAt: string;
  member: { displayName: string; tier: string };
  entry: { type: string; description: string; merchant: { name: string } };
}

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
  const sequences = new Map<string, number>();
  const balances = new Map<string, number>();
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
      // The same event source as the gateway's: every 10 ms, the changes committed since.
      const cpu = process.cpuUsage();
      let published = 0;
      const commits: [string, number, number][] = [];
      const t0 = Date.now();
      while (Date.now() - t0 < command.seconds * 1000) {
        const tickStart = Date.now();
        const n = Math.floor(((tickStart - t0) / 1000) * command.rate) - published;
        for (let k = 0; k < n; k++) {
          const memberId = ids[Math.floor(Math.random() * ids.length)];
          const sequence = (sequences.get(memberId) ?? 0) + 1;
          const delta = 1 + (published % 7);
          const balance = (balances.get(memberId) ?? 0) + delta;
          sequences.set(memberId, sequence);
          balances.set(memberId, balance);
          const createdAt = new Date().toISOString();
          commits.push([memberId, sequence, Date.parse(createdAt)]);
          // The same payload shape as the gateway's, its entity fields known in advance (no I/O).
          const change: Change = {
            sequence,
            delta,
            balance,
            kind: 'REGULAR',
            createdAt,
            member: { displayName: 'Member', tier: 'REGULAR' },
            entry: {
              type: 'EARN',
              description: 'Purchase',
              merchant: { name: `Merchant ${published % 20}` },
            },
          };
          for (const sink of sinks.get(memberId) ?? []) sink(change);
          published++;
        }
        const elapsed = Date.now() - tickStart;
        await new Promise((r) => setTimeout(r, Math.max(0, 10 - elapsed)));
      }
      const used = process.cpuUsage(cpu);
      send({
        type: 'loaded',
        published,
        seconds: (Date.now() - t0) / 1000,
        cpuSeconds: (used.user + used.system) / 1e6,
        queries: 0,
        resolutions: 0,
        entityFetches: 0,
        commits,
      });
    } else if (command.type === 'stop') {
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
