import { PointKind, startService, type Principal, type RunningService } from '@loyalty/platform';
import { testConfig } from '@loyalty/testing';
import { createApp, type CatalogApp } from '../src/app';
import { loadCatalogConfig } from '../src/config';
import type { MembersClient } from '../src/peers/members.client';
import { RedemptionRow } from '../src/redemptions/redemption.entity';
import { RedemptionStatus } from '../src/redemptions/redemption.state';
import { RewardRow } from '../src/rewards/reward.entity';
import { RewardKind } from '../src/rewards/reward.type';
import { catalogService } from '../src/service';
import { FakeLedger, SimulatedCrash } from '@loyalty/testing';

/** A deterministic PRNG (mulberry32), so a failing seed can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: T[]) => xs[Math.floor(next() * xs.length)],
  };
}

const members: MembersClient = {
  tiers: async (ids) => ids.map((id) => ({ id, tier: 'REGULAR' })),
  merchantExists: async () => true,
  consumeMemberCode: async () => true,
  releaseMemberCode: async () => true,
};

/**
 * The saga under faults: the ledger fails before or after applying calls (lost responses), the
 * process "crashes" between hold and capture, members cancel, the operator cancels and delists, all
 * concurrently. Once faults stop and the sweeper has run, every point is accounted for.
 */
describe('redemption saga under injected faults', () => {
  const config = testConfig();
  const ledger = new FakeLedger();
  let catalog: RunningService<CatalogApp>;

  beforeAll(async () => {
    catalog = await startService(
      { ...catalogService, createApp: (rt) => createApp(rt, loadCatalogConfig(config), { ledger, members }) },
      { config, port: 0 },
    );
  });
  afterAll(() => catalog?.stop());

  const admin: Principal = { role: 'admin', sub: 'chaos-admin' };
  const asMember = (id: string): Principal => ({ role: 'member', sub: id });

  it.each(Array.from({ length: 12 }, (_, i) => i + 1))(
    'seed %i: no point lost or double-spent, stock exact',
    async (seed) => {
      const rnd = prng(seed);
      const app = catalog.app;
      const members = Array.from({ length: 4 }, (_, i) => `s${seed}-member-${i}`);
      const credited = new Map<string, number>();
      for (const m of members) {
        const points = 200 + rnd.int(400);
        ledger.credit(m, points);
        credited.set(m, points);
      }
      const initialStock = new Map<string, number | null>();
      const rewards: string[] = [];
      for (let i = 0; i < 3; i++) {
        const stock = i === 0 ? null : 3 + rnd.int(5);
        const r = await app.rewards.create(
          {
            name: `Chaos ${seed}-${i}`,
            kind: RewardKind.GOODS,
            pointsPrice: 20 + rnd.int(60),
            stock,
            perMemberLimit: i === 2 ? 3 : null,
          },
          admin,
        );
        rewards.push(r.id);
        initialStock.set(r.id, stock);
      }

      ledger.chaos = () => {
        const x = rnd.next();
        return x < 0.12 ? 'before' : x < 0.24 ? 'after' : null;
      };
      app.redemptions.hooks.afterHold = async () => {
        if (rnd.next() < 0.1) throw new SimulatedCrash('crash between hold and capture');
      };

      const swallow = (p: Promise<unknown>) => p.catch(() => undefined);
      for (let round = 0; round < 8; round++) {
        const ops: Promise<unknown>[] = [];
        for (let k = 0; k < 6; k++) {
          const m = rnd.pick(members);
          const dice = rnd.next();
          if (dice < 0.65) {
            const key = `k${rnd.int(12)}`; // keys repeat: replays and CONFLICTs
            ops.push(
              swallow(
                app.redemptions.redeem(
                  { rewardId: rnd.pick(rewards), quantity: 1 + rnd.int(2), idempotencyKey: key },
                  asMember(m),
                ),
              ),
            );
          } else {
            const mine = await catalog.runtime.db.dataSource.manager.findBy(RedemptionRow, { memberId: m });
            const target = mine.length ? rnd.pick(mine) : null;
            if (target && dice < 0.85)
              ops.push(swallow(app.cancellations.cancel(target.id, 'changed my mind', asMember(m))));
            else if (target) ops.push(swallow(app.cancellations.cancel(target.id, 'operator fault', admin)));
          }
        }
        if (round === 5) ops.push(swallow(app.cancellations.delist(rewards[1], 'supplier gone', admin)));
        if (rnd.next() < 0.5) ops.push(swallow(app.recovery.sweep({ staleAfterMs: 0 })));
        await Promise.all(ops);
      }

      // Faults stop; recovery runs until nothing is stuck.
      ledger.chaos = null;
      app.redemptions.hooks.afterHold = undefined;
      for (let i = 0; i < 5; i++) {
        await app.recovery.sweep({ staleAfterMs: 0 });
        if ((await app.redemptionQueries.stuck(new Date(Date.now() + 1000))).length === 0) break;
      }
      expect(await app.redemptionQueries.stuck(new Date(Date.now() + 1000))).toEqual([]);

      const manager = catalog.runtime.db.dataSource.manager;
      const all = (await manager.findBy(RedemptionRow, {})).filter((r) => rewards.includes(r.rewardId));
      expect(all.length).toBeGreaterThan(0);
      for (const r of all)
        expect([RedemptionStatus.CONFIRMED, RedemptionStatus.CANCELLED]).toContain(r.status);
      for (const m of members) {
        const mine = all.filter((r) => r.memberId === m);
        const spent = mine
          .filter((r) => r.status === RedemptionStatus.CONFIRMED)
          .reduce((s, r) => s + r.points, 0);
        const compensation = mine
          .filter((r) => r.status === RedemptionStatus.CANCELLED)
          .reduce((s, r) => s + r.compensationPoints, 0);
        expect({ m, balance: ledger.balance(m, PointKind.REGULAR) }).toEqual({
          m,
          balance: credited.get(m)! - spent + compensation,
        });
        expect(ledger.held(m)).toBe(0);
        const entries = ledger.historyOf(m);
        const redeemed = entries.filter((e) => e.type === 'REDEEM').reduce((s, e) => s - e.points, 0);
        const restored = entries.filter((e) => e.type === 'RESTORE').reduce((s, e) => s + e.points, 0);
        expect(redeemed - restored).toBe(spent);
      }
      for (const id of rewards) {
        const reward = await manager.findOneByOrFail(RewardRow, { id });
        const initial = initialStock.get(id)!;
        if (initial === null) expect(reward.stock).toBeNull();
        else {
          const taken = all
            .filter((r) => r.rewardId === id && r.status === RedemptionStatus.CONFIRMED)
            .reduce((s, r) => s + r.quantity, 0);
          expect(reward.stock).toBe(initial - taken);
        }
      }
    },
  );
});
