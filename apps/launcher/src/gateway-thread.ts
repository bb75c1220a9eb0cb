/**
 * Entry of the gateway's worker thread in the all-in-one process (see gateway-worker.ts): the
 * gateway (and the subgraphs handed to it) on its own event loop, events bridged from the main
 * thread's transport.
 */
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import {
  createLogger,
  createTransport,
  loadConfig,
  PeerDirectory,
  PortTransport,
  SERVICE_NAMES,
  type RunningService,
} from '@loyalty/platform';
import { startGateway } from '@loyalty/gateway';
import type { FromThread, GatewayThreadData, ToThread } from './gateway-thread.protocol';
import { SERVICES } from './services';

async function main(): Promise<void> {
  const parent = parentPort;
  if (!parent) throw new Error('gateway-thread.js runs as a worker thread (startGraph starts it)');
  const data = workerData as GatewayThreadData;
  const config = loadConfig({}, data.source);
  const peers = PeerDirectory.fromConfig(config);
  for (const name of SERVICE_NAMES) if (data.peers[name]) peers.set(name, data.peers[name]);
  const transport = data.events
    ? new PortTransport(data.events)
    : createTransport(config, createLogger('gateway-thread', config.env.LOG_LEVEL));
  const services: RunningService<unknown>[] = [];
  for (const { name, port } of data.services)
    services.push(await SERVICES[name].start({ config, transport, peers, port }));
  const gateway = await startGateway({
    config,
    peers,
    transport,
    port: data.port,
    webAppsDir: data.webAppsDir,
  });
  const send = (message: FromThread) => parent.postMessage(message);
  parent.on('message', (message: ToThread) => {
    if (message.type === 'stats') send({ type: 'stats', id: message.id, stats: gateway.subgraphStats() });
    else if (message.type === 'services')
      void (async () => {
        // Flushing first lets a benchmark count the thread's outbox work with the load that caused it.
        if (message.flush) for (const service of services) await service.relay.flush();
        send({
          type: 'services',
          id: message.id,
          counts: Object.fromEntries(services.map((s) => [s.name, s.runtime.db.queries.roundTrips])),
        });
      })();
    else
      void (async () => {
        await gateway.stop();
        for (const service of [...services].reverse()) await service.stop();
        await transport.close();
        // The host terminates the thread next: the last log lines must be out first.
        gateway.logger.flush();
        send({ type: 'stopped' });
      })();
  });
  send({
    type: 'ready',
    url: gateway.url,
    port: gateway.port,
    services: Object.fromEntries(services.map((s) => [s.name, s.url])),
  });
}

main().catch((error: unknown) => {
  // Rethrown outside the promise: the host's 'error' event gets it and the thread exits non-zero.
  setImmediate(() => {
    throw error;
  });
});
