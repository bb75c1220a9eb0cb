import { eventually, testConfig } from '@loyalty/testing';
import { useGraph } from '../support/graph';
import { ledgerClient } from './helpers';

const DAY = 86_400_000;

/**
 * C6 with the ledger: points a cancelled redemption gives back after their lot expired get a fresh
 * validity (POINTS_VALIDITY from the restore) and survive the next sweep; points whose lot is still
 * valid keep its expiry.
 */
describe('restoring a capture after its lot expired', () => {
  let api: ReturnType<typeof ledgerClient>;
  useGraph(testConfig({ POINTS_VALIDITY: 'P1Y', EXPIRY_SWEEP_INTERVAL: 'PT0.3S' }), (graph) => {
    api = ledgerClient(graph);
  });

  const captured = async (memberId: string, points: number) => {
    const hold = await api.hold({ memberId, points, ttlSeconds: 600 });
    expect(hold.errors).toBeUndefined();
    const holdId = hold.data!.ledgerHold.id as string;
    const capture = await api.internal(
      'mutation($h: ID!, $k: String!) { ledgerCaptureHold(holdId: $h, idempotencyKey: $k) { id } }',
      { h: holdId, k: api.key('capture') },
    );
    expect(capture.errors).toBeUndefined();
    return holdId;
  };
  const expiring = async (memberId: string) => {
    const res = await api.gql(
      'query($id: ID!) { member(id: $id) { expiringPoints(withinDays: 400) { points expiresAt } } }',
      { id: memberId },
      api.tokens.admin(),
    );
    expect(res.errors).toBeUndefined();
    return res.data!.member.expiringPoints as { points: number; expiresAt: string }[];
  };
  const restore = (holdId: string) =>
    api.internal(
      'mutation($h: ID!, $k: String!) { ledgerRestoreCapture(holdId: $h, idempotencyKey: $k, reason: "Redemption cancelled: flight cancelled") { type points expiresAt } }',
      { h: holdId, k: api.key('restore') },
    );

  it('gives the restored points a fresh validity, and the next sweeps leave them alone', async () => {
    const id = await api.member('Restored');
    const lot = await api.credit({ memberId: id, points: 100, validity: 'PT1S' });
    expect(lot.errors).toBeUndefined();
    const holdId = await captured(id, 60);
    // The timed sweeper writes off the lot's remaining 40 points once it is due.
    await eventually(async () => (await api.history(id)).some((e) => e.type === 'EXPIRE'));
    expect(await api.balance(id)).toBe(0);

    const before = Date.now();
    const restored = await restore(holdId);
    expect(restored.errors).toBeUndefined();
    expect(restored.data!.ledgerRestoreCapture).toMatchObject({ type: 'RESTORE', points: 60 });
    const [fresh] = await expiring(id);
    expect(fresh.points).toBe(60);
    expect(new Date(fresh.expiresAt).getTime()).toBeGreaterThanOrEqual(before + 364 * DAY);

    await api.ledger.app.sweeper.tick(new Date(Date.now() + 60_000));
    await api.ledger.app.sweeper.tick(new Date(Date.now() + 30 * DAY));
    expect(await api.balance(id)).toBe(60);
    expect((await api.history(id)).map((e) => `${e.type}:${e.points}`)).toEqual([
      'RESTORE:60',
      'EXPIRE:-40',
      'REDEEM:-60',
      'RELEASE:60',
      'HOLD:-60',
      'EARN:100',
    ]);
    expect((await api.check()).problems).toEqual([]);
  });

  it('keeps the original expiry of restored points whose lot is still valid', async () => {
    const id = await api.member('StillValid');
    const lot = await api.credit({ memberId: id, points: 50, validity: 'P30D' });
    const holdId = await captured(id, 50);
    const restored = await restore(holdId);
    expect(restored.errors).toBeUndefined();
    expect(await expiring(id)).toEqual([{ points: 50, expiresAt: lot.data!.ledgerCredit.expiresAt }]);
  });
});
