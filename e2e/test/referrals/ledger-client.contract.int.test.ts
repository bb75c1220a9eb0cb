import { startGraph, type RunningGraph } from '@loyalty/launcher';
import { RemoteLedgerClient } from '@loyalty/referrals';
import { creditContract, gatewayCreditSubject, gatewayLedger, testConfig, tokensFor } from '@loyalty/testing';

/**
 * Referrals' own RemoteLedgerClient against the real ledger subgraph, held to the credit contract
 * the in-memory ledger is held to (packages/testing/test/fake-ledger.contract.test.ts). The client
 * does not report what a reversal took; the contract reads it from the balance.
 */
const config = testConfig();
let graph: RunningGraph | undefined;
afterAll(() => graph?.stop());

creditContract("referrals' RemoteLedgerClient and the real ledger", async () => {
  graph = await startGraph({ config, ephemeralPorts: true });
  const client = new RemoteLedgerClient(graph.services.referrals!.runtime.client('ledger'));
  return gatewayCreditSubject(gatewayLedger(graph.url, tokensFor(config)), {
    credit: (c) => client.credit(c),
    reverse: (c) => client.reverse(c),
  });
});
