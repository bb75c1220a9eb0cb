/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import { ErrorCode, PointKind } from '@loyalty/platform';
import type { FakeLedger } from './fake-ledger';

/** A credit or reversal as the contract asks it: REGULAR points traced to one source. */
export interface CreditContractCall {
  idempotencyKey: string;
  memberId: string;
  points: number;
  reason: string;
  sourceId: string;
}

/**
 * `ledgerCredit`/`ledgerReverse` as the contract calls them. Every service's client has its own
 * shapes (and the source type is its own), so each subject adapts its client to this.
 */
export interface CreditContractClient {
  credit(call: CreditContractCall): Promise<{ entryId: string }>;
  /** `reversed` where the client reports it; the contract then checks it too. */
  reverse(
    call: CreditContractCall,
  ): Promise<{ entryId: string | null; shortfall: number; reversed?: number }>;
}

/** What the credit contract needs around a client: new members, spending, and balances. */
export interface CreditContractSubject {
  client: CreditContractClient;
  /** A member the ledger knows, with no points. */
  member(): Promise<string>;
  /** Spends REGULAR points the member has (as a redemption would), so a reversal finds them gone. */
  spend(memberId: string, points: number): Promise<void>;
  /** Spendable REGULAR points. */
  balance(memberId: string): Promise<number>;
}

/**
 * Defines the jest tests of the credit and reversal semantics campaigns and referrals rely on
 * (docs/internal-api.md `ledgerCredit`, `ledgerReverse`): a replay returns the first result, a key
 * reused with other parameters is a CONFLICT, a reversal takes back at most what its source
 * earned (earlier reversals of the source count) and never goes below zero, returning what was
 * already spent as the shortfall. Run it against every fake and every real client.
 */
export function creditContract(
  name: string,
  subject: () => Promise<CreditContractSubject> | CreditContractSubject,
): void {
  describe(`ledger credit contract: ${name}`, () => {
    let s: CreditContractSubject;
    beforeAll(async () => {
      s = await subject();
    });

    const call = (memberId: string, points: number, sourceId: string, step: string): CreditContractCall => ({
      idempotencyKey: `contract:${randomUUID()}:${step}`,
      memberId,
      points,
      reason: `Contract ${step}`,
      sourceId,
    });
    const refusedWith = (code: ErrorCode) => expect.objectContaining({ code });
    const reversal = (expected: { reversed: number; shortfall: number }, got: { reversed?: number }) =>
      got.reversed === undefined ? { shortfall: expected.shortfall } : expected;

    it('a credit adds its points once per key; its replay returns the first entry', async () => {
      const m = await s.member();
      const input = call(m, 40, randomUUID(), 'credit');
      const first = await s.client.credit(input);
      const again = await s.client.credit(input);
      expect(again.entryId).toBe(first.entryId);
      expect(await s.balance(m)).toBe(40);
    });

    it('a key reused with other parameters is refused with CONFLICT, for credits and reversals', async () => {
      const m = await s.member();
      const source = randomUUID();
      const credit = call(m, 30, source, 'credit');
      await s.client.credit(credit);
      await expect(s.client.credit({ ...credit, points: 31 })).rejects.toEqual(
        refusedWith(ErrorCode.CONFLICT),
      );
      const reverse = call(m, 10, source, 'reverse');
      await s.client.reverse(reverse);
      await expect(s.client.reverse({ ...reverse, points: 11 })).rejects.toEqual(
        refusedWith(ErrorCode.CONFLICT),
      );
      await expect(s.client.reverse({ ...credit })).rejects.toEqual(refusedWith(ErrorCode.CONFLICT));
      expect(await s.balance(m)).toBe(20);
    });

    it('a reversal takes back at most what its source earned, and nothing of another source', async () => {
      const m = await s.member();
      const [source, other] = [randomUUID(), randomUUID()];
      await s.client.credit(call(m, 100, source, 'credit'));
      await s.client.credit(call(m, 50, other, 'credit'));
      const r = await s.client.reverse(call(m, 150, source, 'reverse'));
      expect(r).toMatchObject(reversal({ reversed: 100, shortfall: 0 }, r));
      expect(r.entryId).not.toBeNull();
      expect(await s.balance(m)).toBe(50);
      const none = await s.client.reverse(call(m, 10, source, 'reverse-again'));
      expect(none).toMatchObject({ entryId: null, ...reversal({ reversed: 0, shortfall: 0 }, none) });
      const unknown = await s.client.reverse(call(m, 10, randomUUID(), 'reverse-unknown'));
      expect(unknown).toMatchObject({ entryId: null, ...reversal({ reversed: 0, shortfall: 0 }, unknown) });
      expect(await s.balance(m)).toBe(50);
    });

    it('a reversal never goes below zero: what was already spent is the shortfall, returned on replay too', async () => {
      const m = await s.member();
      const source = randomUUID();
      await s.client.credit(call(m, 100, source, 'credit'));
      await s.spend(m, 70);
      const input = call(m, 100, source, 'reverse');
      const r = await s.client.reverse(input);
      expect(r).toMatchObject(reversal({ reversed: 30, shortfall: 70 }, r));
      expect(await s.balance(m)).toBe(0);
      expect(await s.client.reverse(input)).toEqual(r);
      expect(await s.balance(m)).toBe(0);
    });

    it('partial reversals add up to what the source earned, and no further', async () => {
      const m = await s.member();
      const source = randomUUID();
      await s.client.credit(call(m, 100, source, 'credit'));
      const first = call(m, 30, source, 'reverse-1');
      const r1 = await s.client.reverse(first);
      expect(r1).toMatchObject(reversal({ reversed: 30, shortfall: 0 }, r1));
      expect(await s.balance(m)).toBe(70);
      const r2 = await s.client.reverse(call(m, 50, source, 'reverse-2'));
      expect(r2).toMatchObject(reversal({ reversed: 50, shortfall: 0 }, r2));
      expect(await s.balance(m)).toBe(20);
      // The replay of the first answers as the first did and takes nothing more.
      expect(await s.client.reverse(first)).toEqual(r1);
      const r3 = await s.client.reverse(call(m, 50, source, 'reverse-3'));
      expect(r3).toMatchObject(reversal({ reversed: 20, shortfall: 0 }, r3));
      expect(await s.balance(m)).toBe(0);
    });
  });
}

/**
 * {@link creditContract}'s subject on a {@link FakeLedger}: unknown members start with nothing,
 * spending is a captured hold. `client` defaults to the fake itself, in process.
 */
export function fakeCreditSubject(
  ledger: FakeLedger,
  client: CreditContractClient = {
    credit: (c) => ledger.credit({ ...c, kind: PointKind.REGULAR, sourceType: 'contract' }),
    reverse: (c) => ledger.reverse({ ...c, kind: PointKind.REGULAR, sourceType: 'contract' }),
  },
): CreditContractSubject {
  return {
    client,
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
}
