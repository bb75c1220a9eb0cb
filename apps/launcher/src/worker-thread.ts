/**
 * Entry of a worker thread of the all-in-one process (see worker-host.ts): subgraphs, and the
 * gateway when asked, on their own event loop, events bridged from the main thread's transport.
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
import type { FromThread, WorkerThreadData, ToThread } from './worker-thread.protocol';
import { linksOf } from './links';
import { SERVICES } from './services';

async function main(): Promise<void> {
  const parent = parentPort;
  if (!parent) throw new Error('worker-thread.js runs as a worker thread (startGraph starts it)');
  const data = workerData as WorkerThreadData;
  const config = loadConfig({}, data.source);
  const logger = createLogger('worker-thread', config.env.LOG_LEVEL);
  const peers = PeerDirectory.fromConfig(config);
  if (data.links) peers.links = linksOf(data.links);
  // The subgraphs this thread has a link to: its own, and those of the threads it connects to.
  const linked = new Set([
    ...data.services.map((s) => s.name),
    ...(data.links?.connect.map((c) => c.name) ?? []),
  ]);
  const setPeers = (known: Record<string, string>) => {
    for (const name of SERVICE_NAMES) {
      if (!known[name]) continue;
      if (data.links && linked.has(name)) peers.setLocal(name, known[name]);
      else peers.set(name, known[name]);
    }
  };
  setPeers(data.peers);
  const transport = data.events ? new PortTransport(data.events) : createTransport(config, logger);
  const services: RunningService<unknown>[] = [];
  for (const { name, port } of data.services)
    services.push(await SERVICES[name].start({ config, transport, peers, port }));
  const gateway = data.gateway
    ? await startGateway({
        config,
        peers,
        transport,
        port: data.gateway.port,
        webAppsDir: data.gateway.webAppsDir,
      })
    : null;
  const send = (message: FromThread) => parent.postMessage(message);
  parent.on('message', (message: ToThread) => {
    if (message.type === 'stats')
      send({ type: 'stats', id: message.id, stats: gateway?.subgraphStats() ?? {} });
    else if (message.type === 'peers') setPeers(message.peers);
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
        await gateway?.stop();
        for (const service of [...services].reverse()) await service.stop();
        await transport.close();
        peers.links?.close();
        // The host terminates the thread next: the last log lines must be out first.
        for (const l of [gateway?.logger, ...services.map((s) => s.runtime.logger), logger]) l?.flush();
        send({ type: 'stopped' });
      })();
  });
  send({
    type: 'ready',
    url: gateway?.url ?? '',
    port: gateway?.port ?? 0,
    services: Object.fromEntries(services.map((s) => [s.name, s.url])),
  });
}

main().catch((error: unknown) => {
  // Rethrown outside the promise: the host's 'error' event gets it and the thread exits non-zero.
  setImmediate(() => {
    throw error;
  });
});
