import { eventually, testConfig } from '@loyalty/testing';
import { Topics, type BalanceChanged, type PointsExpiring } from '@loyalty/platform';
import { ExpirySweeper } from '@loyalty/ledger';
import { useGraph } from '../support/graph';
import { ledgerClient } from './helpers';

describe('expiry and warnings with short durations', () => {
  let api: ReturnType<typeof ledgerClient>;
  const expiring: PointsExpiring[] = [];
  const changes: BalanceChanged[] = [];

  useGraph(
    testConfig({
      POINTS_VALIDITY: 'PT6S',
      EXPIRY_WARNING_LEADS: 'PT4S,PT2S',
      EXPIRY_SWEEP_INTERVAL: 'PT0.3S',
    }),
    async (graph) => {
      api = ledgerClient(graph);
      await graph.transport.listen(Topics.pointsExpiring, (e) => {
        expiring.push(e.payload);
      });
      await graph.transport.listen(Topics.balanceChanged, (e) => {
        changes.push(e.payload);
      });
    },
  );

  const warningsOf = (memberId: string) => expiring.filter((p) => p.memberId === memberId);
  const changesOf = (memberId: string) => changes.filter((p) => p.memberId === memberId);

  it('warns once per lead, then expires exactly the unspent remainder of a partly spent lot', async () => {
    const id = await api.member('Expiry');
    const lot = await api.credit({ memberId: id, points: 100 });
    expect(lot.errors).toBeUndefined();
    await api.credit({ memberId: id, points: 5, validity: 'NEVER' });
    const spend = await api.gql(
      'mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { balanceAfter } }',
      { input: { memberId: id, points: -30, reason: 'Spent at the counter', idempotencyKey: api.key() } },
      api.tokens.admin(),
    );
    expect(spend.data!.adjustPoints.balanceAfter).toBe(75);

    const warnings = await eventually(async () => {
      const w = warningsOf(id);
      return w.length >= 2 ? w : null;
    }, 10_000);
    expect(warnings.map((w) => w.lead)).toEqual(['PT4S', 'PT2S']);
    for (const w of warnings)
      expect(w).toMatchObject({ memberId: id, kind: 'REGULAR', points: 70, daysLeft: 0 });
    expect(new Date(warnings[0].expiresAt).toISOString()).toBe(lot.data!.ledgerCredit.expiresAt);

    const expired = await eventually(async () => {
      const h = await api.history(id);
      return h.find((e) => e.type === 'EXPIRE') ?? null;
    }, 10_000);
    expect(expired).toMatchObject({ type: 'EXPIRE', points: -70, balanceAfter: 5, sequence: 4 });
    expect(await api.balance(id)).toBe(5);
    await eventually(async () =>
      changesOf(id).some((p) => p.entryType === 'EXPIRE' && p.delta === -70 && p.sequence === 4),
    );

    // Stored and visible to the member; never sent twice.
    const visible = await api.gql(
      '{ me { expiryWarnings { lead points daysLeft kind } } }',
      {},
      api.tokens.member(id),
    );
    expect(visible.data!.me.expiryWarnings).toHaveLength(2);
    // Two more full sweeps, and everything they published delivered: still one warning per lead.
    await api.ledger.app.sweeper.tick();
    await api.ledger.app.sweeper.tick();
    await api.ledger.relay.flush();
    const again = await api.gql('{ me { expiryWarnings { lead } } }', {}, api.tokens.member(id));
    expect(again.data!.me.expiryWarnings).toHaveLength(2);
    expect(warningsOf(id)).toHaveLength(2);
    expect((await api.history(id)).filter((e) => e.type === 'EXPIRE')).toHaveLength(1);
    expect((await api.check()).problems).toEqual([]);
  }, 30_000);

  it('skips a lead longer than the validity, and never expires held points without a trail', async () => {
    const id = await api.member('Held');
    await api.credit({ memberId: id, points: 50, validity: 'PT3S' });
    const hold = await api.hold({ memberId: id, points: 20, ttlSeconds: 600 });
    expect(hold.errors).toBeUndefined();
    const expired = await eventually(async () => {
      const h = await api.history(id);
      return h.find((e) => e.type === 'EXPIRE') ?? null;
    }, 10_000);
    // Only the 30 points not held were written off.
    expect(expired).toMatchObject({ points: -30, balanceAfter: 0 });
    expect(warningsOf(id).map((w) => w.lead)).toEqual(['PT2S']);
    // Released after the lot's expiry: the points come back, then expire with their own entry.
    const rel = await api.internal(
      'mutation($h: ID!) { ledgerReleaseHold(holdId: $h, idempotencyKey: "rel-held", reason: "Order failed") { status } }',
      { h: hold.data!.ledgerHold.id },
    );
    expect(rel.data!.ledgerReleaseHold.status).toBe('RELEASED');
    const types = await eventually(async () => {
      const h = (await api.history(id)).map((e) => `${e.type}:${e.points}`);
      return h.length === 5 ? h : null;
    }, 10_000);
    expect(types).toEqual(['EXPIRE:-20', 'RELEASE:20', 'EXPIRE:-30', 'HOLD:-20', 'EARN:50']);
    expect(await api.balance(id)).toBe(0);
  }, 30_000);

  it('two sweepers running at once expire each lot exactly once', async () => {
    const app = api.ledger.app;
    // Only the sweeps below run: the timed one would take the lots already due by the wall clock
    // while the explicit sweeps skip the member it holds, leaving the later lots for its next tick.
    await app.sweeper.stop();
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) ids.push(await api.member(`Replica${i}`));
    for (const id of ids)
      for (let j = 0; j < 10; j += 1) await api.credit({ memberId: id, points: 1 + j, validity: 'PT1S' });
    const second = new ExpirySweeper(
      api.ledger.runtime.transactor,
      app.ledger.holds,
      api.ledger.runtime.logger,
      {
        leads: [],
        intervalMs: 1000,
        memberBatch: 1,
      },
    );
    const later = new Date(Date.now() + 1500);
    await Promise.all([app.sweeper.expireDue(later), second.expireDue(later), second.expireDue(later)]);
    try {
      for (const id of ids) {
        const h = await api.history(id);
        expect(h.filter((e) => e.type === 'EXPIRE')).toHaveLength(10);
        expect(await api.balance(id)).toBe(0);
      }
      expect((await api.check()).problems).toEqual([]);
    } finally {
      app.sweeper.start();
    }
  }, 30_000);
});
