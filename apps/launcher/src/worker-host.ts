import { join } from 'node:path';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { MessageChannel, Worker } from 'node:worker_threads';
import {
  serveTransport,
  type ServiceName,
  type EventTransport,
  type Logger,
  type PeerDirectory,
  type PlatformConfig,
} from '@loyalty/platform';
import type {
  FromThread,
  ThreadLinks,
  WorkerThreadData,
  ServiceCounts,
  SubgraphStats,
  ToThread,
} from './worker-thread.protocol';

/**
 * The compiled entry, also when this module runs from its TypeScript source (jest): a worker
 * thread loads plain JavaScript, so `pnpm build` comes first either way.
 */
const ENTRY = join(__dirname, '..', 'dist', 'worker-thread.js');

/** How long a graceful stop of the thread may take before it is terminated. */
const STOP_TIMEOUT_MS = 20_000;

export interface WorkerThreadOptions {
  config: PlatformConfig;
  peers: PeerDirectory;
  /** The subgraphs' transport: bridged to the thread when in-process, else the thread opens its own. */
  transport: EventTransport;
  /** Run the gateway in the thread, on this port (0: a free one); absent, subgraphs only. */
  gateway?: { port: number; webAppsDir?: string };
  /** Subgraphs to run in the thread, with their ports (0: a free one). */
  services?: { name: ServiceName; port: number }[];
  logger: Logger;
  /** The thread ended without being asked to (it crashed): the caller takes the platform down. */
  onCrash(error: Error): void;
  /** Another worker script (tests of the crash handling). */
  entry?: string;
  /** The thread's ends of the local links (see `planLinks`). */
  links?: ThreadLinks;
}

export interface WorkerThread {
  /** What the thread runs, for logs: `gateway`, subgraph names. */
  label: string;
  /** The gateway's URL and port when the thread runs it ('' and 0 otherwise). */
  url: string;
  port: number;
  /** The thread's subgraphs and their URLs. */
  services: Partial<Record<ServiceName, string>>;
  /** Tells the thread where subgraphs started after it are (other threads' free ports). */
  setPeers(peers: Record<string, string>): void;
  /** The thread's subgraph fetch counters (benchmarks). */
  subgraphStats(): Promise<SubgraphStats>;
  /**
   * SQL round trips so far of the subgraphs in the thread (benchmarks); with `flush`, after
   * their outbox relays have published what is committed.
   */
  serviceCounts(flush: boolean): Promise<ServiceCounts>;
  /**
   * The thread's event-loop utilisation (as `performance.eventLoopUtilization`): pass an earlier
   * reading for the share of time busy since then (benchmarks).
   */
  eventLoopUtilization(since?: EventLoopUtilization): EventLoopUtilization;
  stop(): Promise<void>;
}

/**
 * Runs the gateway and/or subgraphs in a worker thread of this process: the gateway's parsing,
 * planning and response assembly, or a busy subgraph's writes, get a core of their own instead of
 * queueing behind everything else on one event loop, while it stays one process (one command,
 * one stdout, one signal handler). A worker rather than a child process because nothing is
 * serialised at start-up (configuration, peers and the event port are handed over in memory) and
 * a crash of any thread ends the process for good.
 */
export async function startWorkerThread(options: WorkerThreadOptions): Promise<WorkerThread> {
  const services = options.services ?? [];
  const label = [...(options.gateway ? ['gateway'] : []), ...services.map((s) => s.name)].join('+');
  const what = `${options.gateway ? 'gateway' : label} thread`;
  const bridge = options.transport.kind === 'in-process' ? new MessageChannel() : null;
  const data: WorkerThreadData = {
    source: { ...options.config.source },
    peers: Object.fromEntries(options.peers.entries()),
    gateway: options.gateway ?? null,
    services,
    events: bridge?.port2,
    links: options.links,
  };
  const linkPorts = [...(options.links?.accept ?? []), ...(options.links?.connect ?? [])].map((l) => l.port);
  const worker = new Worker(options.entry ?? ENTRY, {
    workerData: data,
    transferList: [...(bridge ? [bridge.port2] : []), ...linkPorts],
  });
  const stopServing = bridge ? serveTransport(options.transport, bridge.port1) : async () => undefined;
  // Replies awaited from the thread; all of them fail if it exits first.
  const waiting = new Set<{
    accepts(m: FromThread): boolean;
    resolve(m: FromThread): void;
    reject(e: Error): void;
  }>();
  worker.on('message', (message: FromThread) => {
    for (const w of waiting)
      if (w.accepts(message)) {
        waiting.delete(w);
        w.resolve(message);
      }
  });
  let failure: Error | null = null;
  worker.on('error', (error) => (failure = error));
  let stopping = false;
  let gone = false;
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  void exited.then((code) => {
    gone = true;
    for (const w of waiting) w.reject(failure ?? new Error(`${what} exited (code ${code})`));
    waiting.clear();
  });
  const next = <T extends FromThread['type']>(type: T, id?: number) =>
    new Promise<Extract<FromThread, { type: T }>>((resolve, reject) => {
      if (gone) return reject(new Error(`${what} is gone`));
      waiting.add({
        accepts: (m) => m.type === type && (!('id' in m) || m.id === id),
        resolve: (m) => resolve(m as Extract<FromThread, { type: T }>),
        reject,
      });
    });
  const ready = await next('ready').catch(async (error: unknown) => {
    await stopServing();
    throw error;
  });
  // The main thread's services reach the thread's subgraphs too.
  for (const [name, url] of Object.entries(ready.services)) {
    if (options.links) options.peers.setLocal(name as ServiceName, url);
    else options.peers.set(name as ServiceName, url);
  }
  options.logger.info(
    { url: ready.url, services: Object.keys(ready.services), threadId: worker.threadId },
    `${what} ready`,
  );
  void exited.then(async (code) => {
    if (stopping) return;
    const error = failure ?? new Error(`${what} exited with code ${code}`);
    options.logger.fatal({ err: error, exitCode: code }, `${what} crashed: stopping the platform`);
    await stopServing();
    options.onCrash(error);
  });
  const send = (message: ToThread) => worker.postMessage(message);
  let nextId = 0;
  let stopped: Promise<void> | null = null;
  return {
    label,
    url: ready.url,
    port: ready.port,
    services: ready.services,
    setPeers: (peers) => send({ type: 'peers', peers }),
    async subgraphStats() {
      const id = nextId++;
      const reply = next('stats', id);
      send({ type: 'stats', id });
      return (await reply).stats;
    },
    eventLoopUtilization: (since) => worker.performance.eventLoopUtilization(since),
    async serviceCounts(flush) {
      const id = nextId++;
      const reply = next('services', id);
      send({ type: 'services', id, flush });
      return (await reply).counts;
    },
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        if (gone) return stopServing();
        const done = next('stopped');
        send({ type: 'stop' });
        const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
        try {
          await done;
        } catch (error) {
          options.logger.error({ err: error }, `${what} did not stop gracefully`);
        } finally {
          clearTimeout(timer);
          await worker.terminate();
          await stopServing();
        }
      })()),
  };
}
