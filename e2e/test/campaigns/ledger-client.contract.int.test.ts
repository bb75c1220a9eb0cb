import { RemoteLedgerClient } from '@loyalty/campaigns';
import { creditContract, gatewayCreditSubject, gatewayLedger } from '@loyalty/testing';
import { useGraph } from '../support/graph';

/**
 * Campaigns' own RemoteLedgerClient against the real ledger subgraph, held to the credit contract
 * the in-memory ledger is held to (packages/testing/test/fake-ledger.contract.test.ts).
 */
const { tokens, graph } = useGraph();

creditContract("campaigns' RemoteLedgerClient and the real ledger", () => {
  const client = new RemoteLedgerClient(graph().services.campaigns!.runtime.client('ledger'));
  const trail = { kind: 'REGULAR', sourceType: 'purchase', merchantId: null } as const;
  return gatewayCreditSubject(gatewayLedger(graph().url, tokens), {
    credit: (c) => client.credit({ ...c, ...trail, campaignId: null, validity: null }),
    reverse: (c) => client.reverse({ ...c, ...trail }),
  });
});
