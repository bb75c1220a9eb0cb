import { startGraph, type RunningGraph } from '@loyalty/launcher';
import { RemoteLedgerClient } from '@loyalty/campaigns';
import { creditContract, gatewayCreditSubject, gatewayLedger, testConfig, tokensFor } from '@loyalty/testing';

/**
 * Campaigns' own RemoteLedgerClient against the real ledger subgraph, held to the credit contract
 * the in-memory ledger is held to (packages/testing/test/fake-ledger.contract.test.ts).
 */
const config = testConfig();
let graph: RunningGraph | undefined;
afterAll(() => graph?.stop());

creditContract("campaigns' RemoteLedgerClient and the real ledger", async () => {
  graph = await startGraph({ config, ephemeralPorts: true });
  const client = new RemoteLedgerClient(graph.services.campaigns!.runtime.client('ledger'));
  const trail = { kind: 'REGULAR', sourceType: 'purchase', merchantId: null } as const;
  return gatewayCreditSubject(gatewayLedger(graph.url, tokensFor(config)), {
    credit: (c) => client.credit({ ...c, ...trail, campaignId: null, validity: null }),
    reverse: (c) => client.reverse({ ...c, ...trail }),
  });
});
