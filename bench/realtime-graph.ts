/**
 * Source of the realtime benchmark's gateway run: the real members subgraph, the stand-in ledger
 * of @loyalty/testing (entries as entities with their merchant) and the event source. It
 * registers the members and merchants, then on `load` commits entries and hands their
 * `balance.changed` events, batch by batch, to the gateway process, which publishes them on its
 * transport (the outbox relay's hop). In a process of its own by default (realtime-source.ts).
 */
import 'reflect-metadata';
import {
  buildSubgraph,
  createLogger,
  createTransport,
  loadConfig,
  PeerDirectory,
  TokenService,
} from '@loyalty/platform';
import { SERVICES } from '@loyalty/launcher';
import { balanceChangedEvent, startRealtimeFakeLedger } from '@loyalty/testing';
import { pace, serveSource, type StartSource } from './realtime-source';

/** Merchants the entries are spread over (their names come from the members subgraph). */
const MERCHANTS = 20;

async function post(url: string, query: string, variables: Record<string, unknown>, authorization?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, { id: string }>; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

export interface GraphReady {
  memberIds: string[];
  members: { url: string; sdl: string };
  ledger: { url: string; sdl: string };
}

export const startGraphSource: StartSource<GraphReady> = async (onBatch) => {
  const members = Number(process.env.BENCH_MEMBERS ?? 10_000);
  const config = loadConfig({ LOG_LEVEL: 'warn' });
  const transport = createTransport(config, createLogger('bench', 'warn'));
  const peers = PeerDirectory.fromConfig(config);
  const membersService = await SERVICES.members.start({ config, transport, peers, port: 0 });
  const ledger = await startRealtimeFakeLedger({ transport, config, entities: true });
  const admin = `Bearer ${await TokenService.fromConfig(config).sign({ role: 'admin', sub: 'bench' })}`;
  const merchants: string[] = [];
  for (let m = 0; m < MERCHANTS; m++) {
    const data = await post(
      membersService.url,
      'mutation($i: CreateMerchantInput!) { createMerchant(input: $i) { id } }',
      { i: { name: `Merchant ${m}`, category: 'dining' } },
      admin,
    );
    merchants.push(data.createMerchant.id);
  }
  // Members, registered on the members subgraph (its public mutation), 50 at a time.
  const ids: string[] = [];
  for (let i = 0; i < members; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, members - i) }, async (_, j) => {
        const data = await post(
          membersService.url,
          'mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }',
          { i: { displayName: `Member ${i + j}`, email: `bench-${i + j}@example.com` } },
        );
        return data.registerMember.id;
      }),
    );
    ids.push(...batch);
  }
  return {
    ready: {
      memberIds: ids,
      members: {
        url: membersService.url,
        sdl: (await buildSubgraph(SERVICES.members.definition.schema)).sdl,
      },
      ledger: { url: ledger.url, sdl: ledger.sdl },
    },
    load: (o) =>
      pace(
        o,
        (memberId, n) => {
          const entry = ledger.store.append(memberId, 1 + (n % 7), {
            type: 'EARN',
            description: 'Purchase',
            merchantId: merchants[n % MERCHANTS],
          });
          return {
            item: balanceChangedEvent(entry),
            commit: [memberId, entry.sequence, Date.parse(entry.createdAt)],
          };
        },
        onBatch,
      ),
    async stop() {
      await ledger.stop();
      await membersService.stop();
      await transport.close();
    },
  };
};

if (require.main === module) serveSource(startGraphSource);
