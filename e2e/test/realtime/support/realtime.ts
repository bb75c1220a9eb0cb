import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { buildSubgraph, type PlatformConfig } from '@loyalty/platform';
import { SERVICES, startGraph, type RunningGraph } from '@loyalty/launcher';
import { composeSupergraph, startGateway, type RealtimeLimits, type RunningGateway } from '@loyalty/gateway';
import {
  eventually,
  startRealtimeFakeLedger,
  type RealtimeFakeLedger,
  type RealtimeLedgerStore,
} from '@loyalty/testing';

export interface RealtimeGraph {
  graph: RunningGraph;
  ledger: RealtimeFakeLedger;
  gateway: RunningGateway;
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

/**
 * The members subgraph (real), a stand-in ledger subgraph (bench/fake-ledger.ts) and a gateway on
 * a supergraph of both, sharing one event transport: the gateway's realtime side end to end.
 */
export async function startRealtimeGraph(
  config: PlatformConfig,
  options: { limits?: Partial<RealtimeLimits>; store?: RealtimeLedgerStore } = {},
): Promise<RealtimeGraph> {
  const graph = await startGraph({ config, ephemeralPorts: true, services: ['members'], gateway: false });
  const ledger = await startRealtimeFakeLedger({
    transport: graph.transport,
    config,
    store: options.store,
  });
  graph.peers.set('ledger', ledger.url);
  const members = await buildSubgraph(SERVICES.members.definition.schema);
  const supergraphSdl = composeSupergraph([
    { name: 'members', url: graph.peers.url('members'), sdl: members.sdl },
    { name: 'ledger', url: ledger.url, sdl: ledger.sdl },
  ]);
  const gateway = await startGateway({
    config,
    peers: graph.peers,
    transport: graph.transport,
    supergraphSdl,
    port: 0,
    realtime: options.limits,
  });
  return {
    graph,
    ledger,
    gateway,
    url: gateway.url,
    wsUrl: gateway.url.replace(/^http/, 'ws'),
    async stop() {
      await gateway.stop();
      await ledger.stop();
      await graph.stop();
    },
  };
}

/** Anything with a running gateway (a RealtimeGraph, or a RunningGraph's gateway holder). */
export interface WithRealtime {
  gateway: Pick<RunningGateway, 'realtime'>;
}

export interface Closed {
  code: number;
  reason: string;
}

/** A real graphql-ws client (with `ws`, since Node 20 has no global WebSocket). */
export function wsClient(
  wsUrl: string,
  token?: string,
  extra: Partial<Parameters<typeof createClient>[0]> = {},
) {
  let closed: (c: Closed) => void = () => undefined;
  const closedPromise = new Promise<Closed>((resolve) => (closed = resolve));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
    on: {
      closed: (event) => {
        const e = event as { code: number; reason: string };
        closed({ code: e.code, reason: String(e.reason) });
      },
    },
    ...extra,
  });
  return { client, closed: closedPromise };
}

/** Collects what one subscription receives. */
export class Collector<T = Record<string, unknown>> {
  readonly items: T[] = [];
  readonly errors: { message: string; extensions?: Record<string, unknown> }[] = [];
  completed = false;
  private readonly waiters: (() => void)[] = [];
  readonly dispose: () => void;

  constructor(client: Client, query: string, variables: Record<string, unknown> = {}) {
    this.dispose = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) this.errors.push(...(value.errors as never[]));
          if (value.data) this.items.push(value.data as T);
          this.notify();
        },
        error: (error) => {
          if (Array.isArray(error)) this.errors.push(...(error as never[]));
          else this.errors.push({ message: String((error as { reason?: string })?.reason ?? error) });
          this.notify();
        },
        complete: () => {
          this.completed = true;
          this.notify();
        },
      },
    );
  }

  private notify() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves once `done()` holds, re-checking on every arrival; throws `timeout()` after `timeoutMs`. */
  private async until(done: () => boolean, timeoutMs: number, timeout: () => Error): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw timeout();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves once `n` items (or an error / completion) arrived. */
  async waitFor(n: number, timeoutMs = 10_000): Promise<T[]> {
    await this.until(
      () => this.items.length >= n || this.errors.length > 0 || this.completed,
      timeoutMs,
      () => new Error(`got ${this.items.length} of ${n} items within ${timeoutMs} ms`),
    );
    return this.items;
  }

  /** Resolves with the errors once one arrived (empty if none within `timeoutMs`). */
  async waitForError(timeoutMs = 10_000) {
    await this.until(
      () => this.errors.length > 0,
      timeoutMs,
      () => new Error('no error'),
    ).catch(() => undefined);
    return this.errors;
  }
}

/** Waits until the gateway has at least `n` active subscriptions (they are registered asynchronously). */
export async function subscriptionsAtLeast(rt: WithRealtime, n: number, timeoutMs = 10_000): Promise<void> {
  await eventually(async () => rt.gateway.realtime.stats().subscriptions >= n, timeoutMs, 10).catch(() => {
    throw new Error(`only ${rt.gateway.realtime.stats().subscriptions} of ${n} subscriptions`);
  });
}

/** Waits until the gateway is down to at most `n` active subscriptions (they end asynchronously). */
export async function subscriptionsAtMost(rt: WithRealtime, n: number, timeoutMs = 10_000): Promise<void> {
  await eventually(async () => rt.gateway.realtime.stats().subscriptions <= n, timeoutMs, 10).catch(() => {
    throw new Error(
      `still ${rt.gateway.realtime.stats().subscriptions} subscriptions, expected at most ${n}`,
    );
  });
}

/**
 * The gateway's subscription count once earlier subscriptions have finished ending: polled until
 * two readings 50 ms apart agree.
 */
export async function settledSubscriptions(rt: WithRealtime): Promise<number> {
  let last = -1;
  const settled = await eventually(async () => {
    const now = rt.gateway.realtime.stats().subscriptions;
    const stable = now === last;
    last = now;
    return stable && { count: now };
  });
  return settled.count;
}
