/**
 * Child process of the realtime benchmark: the gateway under test (the real gateway with
 * graphql-ws, its in-process transport). The members subgraph, the stand-in ledger and the event
 * source (realtime-graph.ts) run in a process of their own (BENCH_SOURCE=process, the default: the
 * gateway alone in its process, as deployed) or in this one (BENCH_SOURCE=inline); each batch of
 * committed changes is published here on the transport. The 10,000 clients run in the bench
 * process, so the memory per connection measured here is the gateway's.
 */
import 'reflect-metadata';
import { join } from 'node:path';
import {
  createLogger,
  createTransport,
  loadConfig,
  PeerDirectory,
  type EventEnvelope,
} from '@loyalty/platform';
import { composeSupergraph, startGateway } from '@loyalty/gateway';
import { startProbe } from './realtime-probe';
import { startGraphSource } from './realtime-graph';
import { openSource, sourceMode } from './realtime-source';

type Command =
  { type: 'memory' } | { type: 'stats' } | { type: 'load'; rate: number; seconds: number } | { type: 'stop' };

const send = (message: unknown) => process.send?.(message);

async function main() {
  const config = loadConfig({ LOG_LEVEL: 'warn' });
  const transport = createTransport(config, createLogger('bench', 'warn'));
  const peers = PeerDirectory.fromConfig(config);
  const started = Date.now();
  // Published as they come, in order: the relay's hop onto the transport.
  let publishing = Promise.resolve();
  const graph = await openSource(
    sourceMode(),
    join(__dirname, 'realtime-graph.js'),
    startGraphSource,
    (items) => {
      publishing = publishing.then(() => transport.publish(items as EventEnvelope[]));
    },
  );
  const ready = graph.ready;
  peers.set('members', ready.members.url);
  peers.set('ledger', ready.ledger.url);
  const gateway = await startGateway({
    config,
    peers,
    transport,
    supergraphSdl: composeSupergraph([
      { name: 'members', ...ready.members },
      { name: 'ledger', ...ready.ledger },
    ]),
    port: 0,
    realtime: { maxConnections: ready.memberIds.length + 1_000, maxPending: 1_000 },
  });
  send({
    type: 'ready',
    wsUrl: gateway.url.replace(/^http/, 'ws'),
    memberIds: ready.memberIds,
    registerMs: Date.now() - started,
  });

  process.on('message', async (command: Command) => {
    if (command.type === 'memory') {
      for (let i = 0; i < 3; i++) {
        (globalThis as { gc?: () => void }).gc?.();
        await new Promise((r) => setTimeout(r, 100));
      }
      send({ type: 'memory', memory: process.memoryUsage() });
    } else if (command.type === 'stats') {
      send({ type: 'stats', stats: gateway.realtime.stats() });
    } else if (command.type === 'load') {
      const cpu = process.cpuUsage();
      const probe = startProbe();
      const before = gateway.realtime.stats();
      const paced = await graph.load({ ...command, memberIds: ready.memberIds });
      await publishing;
      const used = process.cpuUsage(cpu);
      const after = gateway.realtime.stats();
      send({
        type: 'loaded',
        published: paced.published,
        seconds: paced.seconds,
        cpuSeconds: (used.user + used.system) / 1e6,
        sourceCpuSeconds: paced.cpuSeconds,
        queries: after.resolutionsExecuted - before.resolutionsExecuted,
        resolutions: after.resolutionsShared - before.resolutionsShared,
        entityFetches: (after.entityFetches ?? 0) - (before.entityFetches ?? 0),
        cache: after.entityCache,
        probe: probe.stop(),
        commits: paced.commits,
      });
    } else if (command.type === 'stop') {
      await gateway.stop();
      await transport.close();
      await graph.stop();
      send({ type: 'stopped' });
      process.exit(0);
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
