import { RemoteLedgerClient } from '@loyalty/referrals';
import { PeerDirectory, ServiceClient, TokenService, createLogger } from '@loyalty/platform';
import {
  creditContract,
  FakeLedger,
  fakeCreditSubject,
  gatewayCreditSubject,
  gatewayLedger,
  serveFakeLedger,
  type ServedFakeLedger,
} from '@loyalty/testing';
import { useGraph } from '../support/graph';

/**
 * Referrals' own RemoteLedgerClient against the real ledger subgraph, held to the credit contract
 * the in-memory ledger is held to (packages/testing/test/fake-ledger.contract.test.ts). The client
 * does not report what a reversal took; the contract reads it from the balance.
 */
const { config, tokens, graph } = useGraph();
let served: ServedFakeLedger | undefined;
afterAll(() => served?.stop());

creditContract("referrals' RemoteLedgerClient and the real ledger", () => {
  const client = new RemoteLedgerClient(graph().services.referrals!.runtime.client('ledger'));
  return gatewayCreditSubject(gatewayLedger(graph().url, tokens), {
    credit: (c) => client.credit(c),
    reverse: (c) => client.reverse(c),
  });
});

// The fake the outage tests serve in the ledger's place, through the same client and HTTP.
creditContract("referrals' RemoteLedgerClient and the FakeLedger served over HTTP", async () => {
  const fake = new FakeLedger();
  served = await serveFakeLedger(fake);
  const peers = new PeerDirectory();
  peers.set('ledger', served.url);
  const http = new ServiceClient(
    'ledger',
    'referrals',
    peers,
    TokenService.fromConfig(config),
    createLogger('contract', 'silent'),
  );
  const client = new RemoteLedgerClient(http);
  return fakeCreditSubject(fake, {
    credit: (c) => client.credit(c),
    reverse: (c) => client.reverse(c),
  });
});
