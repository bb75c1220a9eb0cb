import type { CatalogApp } from '@loyalty/catalog';
import { ledgerContract } from '@loyalty/testing';
import { CatalogHarness } from './support/harness';

/**
 * The catalog's own RemoteLedgerClient against the real ledger subgraph, held to the contract the
 * in-memory ledger is held to (packages/testing/test/fake-ledger.contract.test.ts).
 */
const h = new CatalogHarness();
afterAll(() => h.stop());

ledgerContract("the catalog's RemoteLedgerClient and the real ledger", async () => {
  await h.start();
  const app: CatalogApp = h.app;
  return {
    client: app.ledger,
    member: async (points, kind) => {
      const m = await h.member('Contract member');
      await h.give(m, points, kind);
      return m;
    },
    balance: (memberId, kind) => h.balance(memberId, kind),
  };
});
