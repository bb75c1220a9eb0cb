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
import { startGatewayThread, type GatewayThread } from './gateway-worker';
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
  /** The gateway thread crashed; the graph has stopped everything else already (default: nothing). */
  onFatal?: (error: Error) => void;
}

export interface RunningGraph {
  /** Gateway URL (`…/graphql`), when a gateway runs here. */
  url: string;
  config: PlatformConfig;
  /** The gateway, when it runs on this thread. */
  gateway: RunningGateway | null;
  /** The gateway, when it runs in a worker thread (`gatewayThread`). */
  gatewayThread: GatewayThread | null;
  /** The subgraphs on this thread (those in the gateway thread are reached through `peers`). */
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
 * default (`pnpm start`, gateway in a worker thread) and what the harness integration tests use
 * (everything on one thread).
 */
export async function startGraph(options: GraphOptions = {}): Promise<RunningGraph> {
  const config = options.config ?? loadConfig();
  const logger = createLogger('launcher', config.env.LOG_LEVEL);
  const transport = createTransport(config, logger);
  const peers = PeerDirectory.fromConfig(config);
  const wanted = options.gateway !== false;
  const threaded = wanted && options.gatewayThread === true;
  const inThread = (name: ServiceName) => threaded && (options.threadServices ?? []).includes(name);
  const all = options.services ?? [...SERVICE_NAMES];
  const names = all.filter((name) => !inThread(name));
  const services: Partial<Record<ServiceName, RunningService<unknown>>> = {};
  const startOne = (name: ServiceName, port?: number) =>
    SERVICES[name].start({
      config,
      transport,
      peers,
      port: port ?? (options.ephemeralPorts ? 0 : config.servicePort(name)),
    });
  const abandon = async (error: unknown): Promise<never> => {
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await transport.close();
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
  const gateway = wanted && !threaded ? await startGateway(gatewayOptions) : null;
  let gatewayThread: GatewayThread | null = null;
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await gateway?.stop();
      await gatewayThread?.stop();
      for (const name of [...names].reverse()) await services[name]?.stop();
      await transport.close();
    })());
  if (threaded)
    gatewayThread = await startGatewayThread({
      ...gatewayOptions,
      services: all
        .filter(inThread)
        .map((name) => ({ name, port: options.ephemeralPorts ? 0 : config.servicePort(name) })),
      logger,
      onCrash: (error) =>
        void stop()
          .catch((err: unknown) => logger.error({ err }, 'stopping after the gateway thread crashed failed'))
          .finally(() => options.onFatal?.(error)),
    }).catch(abandon);
  return {
    url: gateway?.url ?? gatewayThread?.url ?? '',
    config,
    gateway,
    gatewayThread,
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
