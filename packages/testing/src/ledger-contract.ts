/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import { ErrorCode, PointKind } from '@loyalty/platform';
import type { CompensateInput, HoldInput, PointHold } from './ledger-api';

/** The ledger's internal API as its clients use it: the real client of a service, or a fake. */
export interface LedgerContractClient {
  hold(input: HoldInput): Promise<PointHold>;
  capture(holdId: string, idempotencyKey: string): Promise<void>;
  release(holdId: string, idempotencyKey: string, reason: string): Promise<void>;
  restore(holdId: string, idempotencyKey: string, reason: string): Promise<void>;
  /** `ledgerCredit` of type COMPENSATE. */
  compensate(input: CompensateInput): Promise<void>;
}

/** What the contract needs around a client: members with points, and their balances. */
export interface LedgerContractSubject {
  client: LedgerContractClient;
  /** A member the ledger knows, with `points` of `kind` to spend. */
  member(points: number, kind?: PointKind): Promise<string>;
  /** Spendable points (held ones excluded). */
  balance(memberId: string, kind?: PointKind): Promise<number>;
}

/**
 * Defines the jest tests of the ledger semantics the catalog's saga relies on, against a subject
 * made by `subject` (called once, in `beforeAll`): keyed calls whose replay returns the first
 * result and whose key reused with other parameters is a CONFLICT, no overdraft
 * (INSUFFICIENT_POINTS), holds resolved at most once. Run it against every fake and every real
 * client, so a fake cannot drift from the ledger it stands for.
 */
export function ledgerContract(
  name: string,
  subject: () => Promise<LedgerContractSubject> | LedgerContractSubject,
): void {
  describe(`ledger contract: ${name}`, () => {
    let s: LedgerContractSubject;
    beforeAll(async () => {
      s = await subject();
    });

    const key = (step: string) => `contract:${randomUUID()}:${step}`;
    const holdOf = (memberId: string, points: number, idempotencyKey = key('hold')): HoldInput => ({
      memberId,
      kind: PointKind.REGULAR,
      points,
      idempotencyKey,
      reason: 'Contract hold',
      ttlSeconds: 600,
      merchantId: null,
    });
    const compensation = (memberId: string, points: number, idempotencyKey = key('credit')) => ({
      memberId,
      kind: PointKind.REGULAR,
      points,
      idempotencyKey,
      reason: 'Contract compensation',
      merchantId: null,
      sourceId: `contract-${idempotencyKey}`,
    });
    const refusedWith = (code: ErrorCode) => expect.objectContaining({ code });

    it('a hold takes the points; its replay returns the first hold and takes nothing more', async () => {
      const m = await s.member(100);
      const input = holdOf(m, 60);
      const first = await s.client.hold(input);
      expect(first).toMatchObject({ status: 'HELD', points: 60 });
      expect(await s.balance(m)).toBe(40);
      expect(await s.client.hold(input)).toMatchObject({ id: first.id, status: 'HELD', points: 60 });
      expect(await s.balance(m)).toBe(40);
    });

    it('no overdraft: a hold beyond the balance is refused with INSUFFICIENT_POINTS and takes nothing', async () => {
      const m = await s.member(50);
      await expect(s.client.hold(holdOf(m, 51))).rejects.toEqual(refusedWith(ErrorCode.INSUFFICIENT_POINTS));
      expect(await s.balance(m)).toBe(50);
      await s.client.hold(holdOf(m, 30));
      await expect(s.client.hold(holdOf(m, 30))).rejects.toEqual(refusedWith(ErrorCode.INSUFFICIENT_POINTS));
      expect(await s.balance(m)).toBe(20);
    });

    it('a key reused with other parameters is refused with CONFLICT, for every call', async () => {
      const m = await s.member(200);
      const holdKey = key('hold');
      const a = await s.client.hold(holdOf(m, 10, holdKey));
      await expect(s.client.hold(holdOf(m, 11, holdKey))).rejects.toEqual(refusedWith(ErrorCode.CONFLICT));
      const b = await s.client.hold(holdOf(m, 10));
      const c = await s.client.hold(holdOf(m, 10));
      const captureKey = key('capture');
      await s.client.capture(a.id, captureKey);
      await expect(s.client.capture(b.id, captureKey)).rejects.toEqual(refusedWith(ErrorCode.CONFLICT));
      const releaseKey = key('release');
      await s.client.release(b.id, releaseKey, 'Contract release');
      await expect(s.client.release(c.id, releaseKey, 'Contract release')).rejects.toEqual(
        refusedWith(ErrorCode.CONFLICT),
      );
      const restoreKey = key('restore');
      await s.client.restore(a.id, restoreKey, 'Contract restore');
      await expect(s.client.restore(a.id, restoreKey, 'Another reason')).rejects.toEqual(
        refusedWith(ErrorCode.CONFLICT),
      );
      const creditKey = key('credit');
      await s.client.compensate(compensation(m, 5, creditKey));
      await expect(s.client.compensate(compensation(m, 6, creditKey))).rejects.toEqual(
        refusedWith(ErrorCode.CONFLICT),
      );
      // 200; a captured then restored and b released give theirs back; c is still held; + 5.
      expect(await s.balance(m)).toBe(195);
    });

    it('capture spends the held points once; its replay has no second effect', async () => {
      const m = await s.member(100);
      const input = holdOf(m, 40);
      const hold = await s.client.hold(input);
      const captureKey = key('capture');
      await s.client.capture(hold.id, captureKey);
      await s.client.capture(hold.id, captureKey);
      expect(await s.balance(m)).toBe(60);
      // Replaying the hold's own key tells where the hold stands now.
      expect(await s.client.hold(input)).toMatchObject({ id: hold.id, status: 'CAPTURED' });
    });

    it('concurrent calls with one key are one call: every caller gets the first result', async () => {
      const m = await s.member(100);
      const input = holdOf(m, 60);
      const holds = await Promise.all(Array.from({ length: 6 }, () => s.client.hold(input)));
      expect(new Set(holds.map((h) => h.id)).size).toBe(1);
      const captureKey = key('capture');
      await Promise.all(Array.from({ length: 6 }, () => s.client.capture(holds[0].id, captureKey)));
      expect(await s.balance(m)).toBe(40);
      expect(await s.client.hold(input)).toMatchObject({ id: holds[0].id, status: 'CAPTURED' });
    });

    it('release gives the points back once; its replay has no second effect', async () => {
      const m = await s.member(100);
      const input = holdOf(m, 40);
      const hold = await s.client.hold(input);
      const releaseKey = key('release');
      await s.client.release(hold.id, releaseKey, 'Contract release');
      await s.client.release(hold.id, releaseKey, 'Contract release');
      expect(await s.balance(m)).toBe(100);
      expect(await s.client.hold(input)).toMatchObject({ id: hold.id, status: 'RELEASED' });
    });

    it('a hold is resolved at most once: capture after release and release after capture are CONFLICTs', async () => {
      const m = await s.member(100);
      const released = await s.client.hold(holdOf(m, 30));
      await s.client.release(released.id, key('release'), 'Contract release');
      await expect(s.client.capture(released.id, key('capture'))).rejects.toEqual(
        refusedWith(ErrorCode.CONFLICT),
      );
      await expect(s.client.release(released.id, key('release'), 'Again')).rejects.toEqual(
        refusedWith(ErrorCode.CONFLICT),
      );
      const captured = await s.client.hold(holdOf(m, 30));
      await s.client.capture(captured.id, key('capture'));
      await expect(s.client.release(captured.id, key('release'), 'Too late')).rejects.toEqual(
        refusedWith(ErrorCode.CONFLICT),
      );
      await expect(s.client.capture(captured.id, key('capture'))).rejects.toEqual(
        refusedWith(ErrorCode.CONFLICT),
      );
      expect(await s.balance(m)).toBe(70);
    });

    it('restore gives captured points back once; restoring what was not captured, or twice, is a CONFLICT', async () => {
      const m = await s.member(100);
      const held = await s.client.hold(holdOf(m, 20));
      await expect(s.client.restore(held.id, key('restore'), 'Not captured')).rejects.toEqual(
        refusedWith(ErrorCode.CONFLICT),
      );
      const input = holdOf(m, 50);
      const captured = await s.client.hold(input);
      await s.client.capture(captured.id, key('capture'));
      expect(await s.balance(m)).toBe(30);
      const restoreKey = key('restore');
      await s.client.restore(captured.id, restoreKey, 'Contract restore');
      await s.client.restore(captured.id, restoreKey, 'Contract restore');
      expect(await s.balance(m)).toBe(80);
      await expect(s.client.restore(captured.id, key('restore'), 'Twice')).rejects.toEqual(
        refusedWith(ErrorCode.CONFLICT),
      );
      expect(await s.client.hold(input)).toMatchObject({ id: captured.id, status: 'RESTORED' });
      expect(await s.balance(m)).toBe(80);
    });

    it('a compensation credit adds its points once per key', async () => {
      const m = await s.member(10);
      const input = compensation(m, 25);
      await s.client.compensate(input);
      await s.client.compensate(input);
      expect(await s.balance(m)).toBe(35);
    });

    it('an unknown hold is NOT_FOUND', async () => {
      const missing = randomUUID();
      await expect(s.client.capture(missing, key('capture'))).rejects.toEqual(
        refusedWith(ErrorCode.NOT_FOUND),
      );
      await expect(s.client.release(missing, key('release'), 'None')).rejects.toEqual(
        refusedWith(ErrorCode.NOT_FOUND),
      );
      await expect(s.client.restore(missing, key('restore'), 'None')).rejects.toEqual(
        refusedWith(ErrorCode.NOT_FOUND),
      );
    });
  });
}
