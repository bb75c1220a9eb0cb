import { randomUUID } from 'node:crypto';
import { creditContract, FakeLedger, fakeCreditSubject, ledgerContract } from '@loyalty/testing';

// The in-memory ledger the outage and chaos tests run on, held to the real ledger's contract.
ledgerContract('FakeLedger', () => {
  const ledger = new FakeLedger();
  return {
    client: ledger,
    member: async (points, kind) => {
      const id = randomUUID();
      ledger.credit(id, points, kind);
      return id;
    },
    balance: async (memberId, kind) => ledger.balance(memberId, kind),
  };
});

creditContract('FakeLedger', () => fakeCreditSubject(new FakeLedger()));
