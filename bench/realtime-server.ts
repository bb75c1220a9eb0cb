/**
 * Child process of the realtime benchmark: the gateway under test (real members subgraph, the
 * stand-in ledger of realtime-ledger.ts, the real gateway with graphql-ws) plus the event source.
 * It runs apart from the 10,000 clients so its memory per connection is its own.
 */
import 'reflect-metadata';
import {
  buildSubgraph,
  createTransport,
  createLogger,
  loadConfig,
  PeerDirectory,
  TokenService,
} from '@loyalty/platform';
import { SERVICES } from '@loyalty/launcher';
import { composeSupergraph, startGateway } from '@loyalty/gateway';
import { balanceChanged, startBenchLedger } from './realtime-ledger';

/** Merchants the entries are spread over (their names come from the members subgraph). */
const MERCHANTS = 20;

type Command =
  { type: 'memory' } | { type: 'stats' } | { type: 'load'; rate: number; seconds: number } | { type: 'stop' };

const send = (message: unknown) => process.send?.(message);

async function main() {
  const members = Number(process.env.BENCH_MEMBERS ?? 10_000);
  const config = loadConfig({ LOG_LEVEL: 'warn' });
  const logger = createLogger('bench', 'warn');
  const transport = createTransport(config, logger);
  const peers = PeerDirectory.fromConfig(config);
  const membersService = await SERVICES.members.start({ config, transport, peers, port: 0 });
  peers.set('members', membersService.url);
  const ledger = await startBenchLedger(config);
  peers.set('ledger', ledger.url);
  const membersSdl = (await buildSubgraph(SERVICES.members.definition.schema)).sdl;
  const supergraphSdl = composeSupergraph([
    { name: 'members', url: membersService.url, sdl: membersSdl },
    { name: 'ledger', url: ledger.url, sdl: ledger.sdl },
  ]);
  const gateway = await startGateway({
    config,
    peers,
    transport,
    supergraphSdl,
    port: 0,
    realtime: { maxConnections: members + 1_000, maxPending: 1_000 },
  });

  const admin = `Bearer ${await TokenService.fromConfig(config).sign({ role: 'admin', sub: 'bench' })}`;
  const merchants: string[] = [];
  for (let m = 0; m < MERCHANTS; m++) {
    const res = await fetch(membersService.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: admin },
      body: JSON.stringify({
        query: 'mutation($i: CreateMerchantInput!) { createMerchant(input: $i) { id } }',
        variables: { i: { name: `Merchant ${m}`, category: 'dining' } },
      }),
    });
    const body = (await res.json()) as { data?: { createMerchant: { id: string } }; errors?: unknown };
    if (!body.data) throw new Error(JSON.stringify(body.errors));
    merchants.push(body.data.createMerchant.id);
  }
  // Members, registered on the members subgraph (its public mutation), 50 at a time.
  const ids: string[] = [];
  const started = Date.now();
  for (let i = 0; i < members; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, members - i) }, async (_, j) => {
        const res = await fetch(membersService.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            query: 'mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }',
            variables: { i: { displayName: `Member ${i + j}`, email: `bench-${i + j}@example.com` } },
          }),
        });
        const body = (await res.json()) as { data?: { registerMember: { id: string } }; errors?: unknown };
        if (!body.data) throw new Error(JSON.stringify(body.errors));
        return body.data.registerMember.id;
      }),
    );
    ids.push(...batch);
  }
  send({
    type: 'ready',
    wsUrl: gateway.url.replace(/^http/, 'ws'),
    memberIds: ids,
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
      // Like the outbox relay: every 10 ms, the changes committed since, in one publish.
      const cpu = process.cpuUsage();
      const before = gateway.realtime.stats();
      let published = 0;
      const commits: [string, number, number][] = [];
      const t0 = Date.now();
      while (Date.now() - t0 < command.seconds * 1000) {
        const tickStart = Date.now();
        // As many changes as the rate asks for by now (a late tick publishes more at once).
        const n = Math.floor(((tickStart - t0) / 1000) * command.rate) - published;
        const events = [];
        for (let k = 0; k < n; k++) {
          const memberId = ids[Math.floor(Math.random() * ids.length)];
          const entry = ledger.store.append(memberId, 1 + (published % 7), merchants[published % MERCHANTS]);
          commits.push([memberId, entry.sequence, Date.parse(entry.createdAt)]);
          events.push(balanceChanged(entry));
          published++;
        }
        await transport.publish(events);
        const elapsed = Date.now() - tickStart;
        await new Promise((r) => setTimeout(r, Math.max(0, 10 - elapsed)));
      }
      const used = process.cpuUsage(cpu);
      const after = gateway.realtime.stats();
      send({
        type: 'loaded',
        published,
        seconds: (Date.now() - t0) / 1000,
        cpuSeconds: (used.user + used.system) / 1e6,
        queries: after.resolutionsExecuted - before.resolutionsExecuted,
        resolutions: after.resolutionsShared - before.resolutionsShared,
        entityFetches: (after.entityFetches ?? 0) - (before.entityFetches ?? 0),
        cache: after.entityCache,
        commits,
      });
    } else if (command.type === 'stop') {
      await gateway.stop();
      await ledger.stop();
      await membersService.stop();
      await transport.close();
      send({ type: 'stopped' });
      process.exit(0);
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
