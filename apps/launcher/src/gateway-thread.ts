/**
 * Entry of the gateway's worker thread in the all-in-one process (see gateway-worker.ts): the
 * gateway on its own event loop, events bridged from the subgraphs' thread.
 */
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig, PeerDirectory, PortTransport, SERVICE_NAMES } from '@loyalty/platform';
import { startGateway } from '@loyalty/gateway';
import type { FromThread, GatewayThreadData, ToThread } from './gateway-thread.protocol';

async function main(): Promise<void> {
  const parent = parentPort;
  if (!parent) throw new Error('gateway-thread.js runs as a worker thread (startGraph starts it)');
  const data = workerData as GatewayThreadData;
  const config = loadConfig({}, data.source);
  const peers = PeerDirectory.fromConfig(config);
  for (const name of SERVICE_NAMES) if (data.peers[name]) peers.set(name, data.peers[name]);
  const transport = data.events ? new PortTransport(data.events) : undefined;
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
    else
      void (async () => {
        await gateway.stop();
        await transport?.close();
        // The host terminates the thread next: the last log lines must be out first.
        gateway.logger.flush();
        send({ type: 'stopped' });
      })();
  });
  send({ type: 'ready', url: gateway.url, port: gateway.port });
}

main().catch((error: unknown) => {
  // Rethrown outside the promise: the host's 'error' event gets it and the thread exits non-zero.
  setImmediate(() => {
    throw error;
  });
});
