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
}

export interface RunningGraph {
  /** Gateway URL (`…/graphql`), when a gateway runs here. */
  url: string;
  config: PlatformConfig;
  gateway: RunningGateway | null;
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
 * default (`pnpm start`) and the harness integration tests use.
 */
export async function startGraph(options: GraphOptions = {}): Promise<RunningGraph> {
  const config = options.config ?? loadConfig();
  const logger = createLogger('launcher', config.env.LOG_LEVEL);
  const transport = createTransport(config, logger);
  const peers = PeerDirectory.fromConfig(config);
  const names = options.services ?? [...SERVICE_NAMES];
  const services: Partial<Record<ServiceName, RunningService<unknown>>> = {};
  const startOne = (name: ServiceName, port?: number) =>
    SERVICES[name].start({
      config,
      transport,
      peers,
      port: port ?? (options.ephemeralPorts ? 0 : config.servicePort(name)),
    });
  try {
    for (const name of names) services[name] = await startOne(name);
  } catch (error) {
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await transport.close();
    throw error;
  }
  const gateway =
    options.gateway === false
      ? null
      : await startGateway({
          config,
          peers,
          transport,
          port: options.ephemeralPorts ? 0 : config.env.GATEWAY_PORT,
          webAppsDir: webAppsDir(),
        });
  return {
    url: gateway?.url ?? '',
    config,
    gateway,
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
    async stop() {
      await gateway?.stop();
      for (const name of [...names].reverse()) await services[name]?.stop();
      await transport.close();
    },
  };
}
