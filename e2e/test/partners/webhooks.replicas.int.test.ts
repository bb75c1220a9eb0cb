import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SERVICES, startGraph, type RunningGraph } from '@loyalty/launcher';
import type { RunningService } from '@loyalty/platform';
import { eventually, graphqlRequest, onMysql, testConfig, tokensFor } from '@loyalty/testing';
import type { GraphUnderTest } from '../support/graph';
import { CREATE_ENDPOINT, newKey, newMember, newMerchant, ok, RECORD } from './support';

// Replicas share one MySQL database (SQLite is the single-process embedded default).
const describeOnMysql = onMysql() ? describe : describe.skip;

/** A receiver that answers after a short while and records how many requests it had open at once. */
async function slowReceiver() {
  const ids: string[] = [];
  let open = 0;
  let maxOpen = 0;
  const server: Server = createServer((req, res) => {
    open += 1;
    maxOpen = Math.max(maxOpen, open);
    req.resume();
    req.on('end', () => {
      ids.push(String(req.headers['webhook-id']));
      // Long enough for the other replica to try the same endpoint meanwhile.
      setTimeout(() => {
        open -= 1;
        res.statusCode = 200;
        res.end();
      }, 40);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    ids,
    maxOpen: () => maxOpen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describeOnMysql('webhooks from two members replicas on one database', () => {
  const config = testConfig({ WEBHOOK_POLL_INTERVAL: 'PT0.05S' });
  let graph: RunningGraph;
  let second: RunningService<unknown>;
  const g: GraphUnderTest = {
    config,
    tokens: tokensFor(config),
    graph: () => graph,
    gql: (query, variables, token) => graphqlRequest(graph.url, query, variables, token),
  };

  beforeAll(async () => {
    graph = await startGraph({ config, ephemeralPorts: true });
    // A second replica with its own dispatcher and connection pool, polling the same queue.
    second = await SERVICES.members.start({
      config,
      port: 0,
      transport: graph.transport,
      peers: graph.peers,
    });
  });
  afterAll(async () => {
    await second?.stop();
    await graph?.stop();
  });

  it('deliver every message once, one attempt at a time per endpoint', async () => {
    const receivers = [await slowReceiver(), await slowReceiver()];
    try {
      const member = await newMember(g);
      const merchants = [];
      for (const [i, r] of receivers.entries()) {
        const merchantId = await newMerchant(g, `Shop ${i}`);
        const key = await newKey(g, merchantId);
        await ok(
          g,
          CREATE_ENDPOINT,
          { m: merchantId, url: r.url, events: ['purchase.recorded'] },
          key.secret,
        );
        merchants.push({ merchantId, key });
      }
      await Promise.all(
        merchants.flatMap(({ merchantId, key }) =>
          Array.from({ length: 8 }, (_, n) =>
            ok(
              g,
              RECORD,
              { input: { merchantId, memberId: member, orderId: `O-${n}`, amount: 100 } },
              key.secret,
            ),
          ),
        ),
      );
      await eventually(async () => receivers.every((r) => r.ids.length >= 8), 30_000);
      for (const r of receivers) {
        expect(new Set(r.ids).size).toBe(8);
        expect(r.ids).toHaveLength(8);
        expect(r.maxOpen()).toBe(1);
      }
    } finally {
      await Promise.all(receivers.map((r) => r.close()));
    }
  });
});
