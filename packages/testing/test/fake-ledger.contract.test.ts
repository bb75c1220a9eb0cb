import { randomUUID } from 'node:crypto';
import { PointKind } from '@loyalty/platform';
import { creditContract, FakeLedger, ledgerContract } from '@loyalty/testing';

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

creditContract('FakeLedger', () => {
  const ledger = new FakeLedger();
  const regular = { kind: PointKind.REGULAR, sourceType: 'contract' };
  return {
    client: {
      credit: (c) => ledger.credit({ ...c, ...regular }),
      reverse: (c) => ledger.reverse({ ...c, ...regular }),
    },
    member: async () => randomUUID(),
    spend: async (memberId, points) => {
      const hold = await ledger.hold({
        memberId,
        kind: PointKind.REGULAR,
        points,
        idempotencyKey: randomUUID(),
        reason: 'Contract spend',
        ttlSeconds: 600,
        merchantId: null,
      });
      await ledger.capture(hold.id, randomUUID());
    },
    balance: async (memberId) => ledger.balance(memberId),
  };
});
