import 'reflect-metadata';
import {
  createLogger,
  createTransport,
  loadConfig,
  PeerDirectory,
  SERVICE_NAMES,
  type EventTransport,
  type PlatformConfig,
  type RunningService,
  type ServiceName,
} from '@loyalty/platform';
import { startGateway, type RunningGateway } from '@loyalty/gateway';
import { linksOf, planLinks } from './links';
import { startWorkerThread, type WorkerThread } from './worker-host';
import type { ThreadLinks } from './worker-thread.protocol';
import { SERVICES } from './services';
import { webAppsDir } from './web-apps';

export interface GraphOptions {
  config?: PlatformConfig;
  /** Free ports for everything (tests); otherwise the configured ports (4000–4005). */
  ephemeralPorts?: boolean;
  /** Which subgraphs to run here (default all); the others are reached at their configured URLs. */
  services?: ServiceName[];
  /** Also run the gateway (default true). */
  gateway?: boolean;
  /**
   * Run the gateway in a worker thread (`pnpm start` does, see GATEWAY_THREAD); default false:
   * tests reach into the gateway (`graph.gateway`), which only the single-thread mode exposes.
   */
  gatewayThread?: boolean;
  /** With `gatewayThread`: subgraphs (of `services`) that run in the gateway's thread too. */
  threadServices?: ServiceName[];
  /**
   * Subgraphs (of `services`) that run in worker threads of their own, one thread per group
   * (`pnpm start` does, see SERVICE_THREADS); default none.
   */
  serviceThreads?: ServiceName[][];
  /** A worker thread crashed; the graph has stopped everything else already (default: nothing). */
  onFatal?: (error: Error) => void;
  /**
   * The gateway and services reach the subgraphs of this process through local links (see
   * `LocalLinks`) rather than loopback HTTP (default true; LOCAL_LINKS).
   */
  localLinks?: boolean;
}

export interface RunningGraph {
  /** Gateway URL (`…/graphql`), when a gateway runs here. */
  url: string;
  config: PlatformConfig;
  /** The gateway, when it runs on this thread. */
  gateway: RunningGateway | null;
  /** The gateway, when it runs in a worker thread (`gatewayThread`). */
  gatewayThread: WorkerThread | null;
  /** The worker threads of `serviceThreads`. */
  serviceThreads: WorkerThread[];
  /** The subgraphs on this thread (those in worker threads are reached through `peers`). */
  services: Partial<Record<ServiceName, RunningService<unknown>>>;
  peers: PeerDirectory;
  transport: EventTransport;
  /** Stops one subgraph (to test outages); `restart` brings it back on the same port. */
  stopService(name: ServiceName): Promise<void>;
  restartService(name: ServiceName): Promise<RunningService<unknown>>;
  stop(): Promise<void>;
}

/**
 * Runs the gateway and the subgraphs in one process sharing one event transport: the embedded
 * default (`pnpm start`: the gateway and some subgraphs in worker threads) and what the harness
 * integration tests use (everything on one thread).
 */
export async function startGraph(options: GraphOptions = {}): Promise<RunningGraph> {
  const config = options.config ?? loadConfig();
  const logger = createLogger('launcher', config.env.LOG_LEVEL);
  const transport = createTransport(config, logger);
  const peers = PeerDirectory.fromConfig(config);
  const wanted = options.gateway !== false;
  const threaded = wanted && options.gatewayThread === true;
  const all = options.services ?? [...SERVICE_NAMES];
  const groups = (options.serviceThreads ?? [])
    .map((group) => group.filter((name) => all.includes(name)))
    .filter((group) => group.length > 0);
  const inGroup = (name: ServiceName) => groups.some((group) => group.includes(name));
  const inGatewayThread = (name: ServiceName) =>
    threaded && !inGroup(name) && (options.threadServices ?? []).includes(name);
  const names = all.filter((name) => !inGroup(name) && !inGatewayThread(name));
  // Main thread first, then the service threads, then the gateway's (subgraphs of its own or not).
  const links =
    options.localLinks === false
      ? null
      : planLinks([names, ...groups, ...(threaded ? [all.filter(inGatewayThread)] : [])]);
  if (links) peers.links = linksOf(links[0]);
  const services: Partial<Record<ServiceName, RunningService<unknown>>> = {};
  const startOne = (name: ServiceName, port?: number) =>
    SERVICES[name].start({
      config,
      transport,
      peers,
      port: port ?? (options.ephemeralPorts ? 0 : config.servicePort(name)),
    });
  const serviceThreads: WorkerThread[] = [];
  const abandon = async (error: unknown): Promise<never> => {
    for (const thread of serviceThreads) await thread.stop();
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await transport.close();
    peers.links?.close();
    throw error;
  };
  try {
    for (const name of names) services[name] = await startOne(name);
  } catch (error) {
    await abandon(error);
  }
  const gatewayOptions = {
    config,
    peers,
    transport,
    port: options.ephemeralPorts ? 0 : config.env.GATEWAY_PORT,
    webAppsDir: webAppsDir(),
  };
  let gateway: RunningGateway | null = null;
  let gatewayThread: WorkerThread | null = null;
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await gateway?.stop();
      await gatewayThread?.stop();
      for (const thread of [...serviceThreads].reverse()) await thread.stop();
      for (const name of [...names].reverse()) await services[name]?.stop();
      await transport.close();
      peers.links?.close();
    })());
  const threadOptions = (group: ServiceName[], ends?: ThreadLinks) => ({
    config,
    peers,
    transport,
    services: group.map((name) => ({ name, port: options.ephemeralPorts ? 0 : config.servicePort(name) })),
    links: ends,
    logger,
    onCrash: (error: Error) =>
      void stop()
        .catch((err: unknown) => logger.error({ err }, 'stopping after a worker thread crashed failed'))
        .finally(() => options.onFatal?.(error)),
  });
  for (const [i, group] of groups.entries())
    serviceThreads.push(await startWorkerThread(threadOptions(group, links?.[i + 1])).catch(abandon));
  if (wanted && !threaded) gateway = await startGateway(gatewayOptions).catch(abandon);
  if (threaded)
    gatewayThread = await startWorkerThread({
      ...threadOptions(all.filter(inGatewayThread), links?.[groups.length + 1]),
      gateway: { port: gatewayOptions.port, webAppsDir: gatewayOptions.webAppsDir },
    }).catch(abandon);
  // Threads started before others learn where those are (free ports in tests).
  const everyPeer = Object.fromEntries(peers.entries());
  for (const thread of [...serviceThreads, gatewayThread]) thread?.setPeers(everyPeer);
  return {
    url: gateway?.url ?? gatewayThread?.url ?? '',
    config,
    gateway,
    gatewayThread,
    serviceThreads,
    services,
    peers,
    transport,
    async stopService(name) {
      await services[name]?.stop();
    },
    async restartService(name) {
      const previous = services[name];
      const running = await startOne(name, previous?.port);
      services[name] = running;
      return running;
    },
    stop,
  };
}
