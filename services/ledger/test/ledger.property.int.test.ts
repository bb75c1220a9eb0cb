import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { ErrorCode, requireDuration } from '@loyalty/platform';
import { testConfig, useService } from '@loyalty/testing';
import { EntryRow } from '../src/entries/entry.entity';
import { ExpirySweeper } from '../src/expiry/sweeper';
import { checkLedger } from '../src/audit/check.service';
import { createLedger } from '../src/ledger/ledger';
import { ledgerService } from '../src/service';

type Op =
  | { t: 'earn'; m: number; kind: string; points: number; days: number | null }
  | { t: 'hold'; m: number; kind: string; points: number }
  | { t: 'capture' | 'release' | 'restore'; h: number }
  | { t: 'reverse'; m: number; kind: string; src: number; points: number }
  | { t: 'adjust'; m: number; kind: string; points: number }
  | { t: 'advance'; days: number; sweep: boolean }
  | { t: 'replay'; i: number };

const kind = fc.constantFrom('REGULAR', 'GREEN');
const member = fc.integer({ min: 0, max: 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('earn' as const),
      m: member,
      kind,
      points: fc.integer({ min: 1, max: 300 }),
      days: fc.option(fc.integer({ min: 1, max: 20 }), { nil: null }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('hold' as const),
      m: member,
      kind,
      points: fc.integer({ min: 1, max: 300 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constantFrom('capture' as const, 'release' as const, 'restore' as const),
      h: fc.nat(5),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('reverse' as const),
      m: member,
      kind,
      src: fc.nat(5),
      points: fc.integer({ min: 1, max: 300 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('adjust' as const),
      m: member,
      kind,
      points: fc.integer({ min: -300, max: 300 }).filter((n) => n !== 0),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('advance' as const),
      days: fc.integer({ min: 1, max: 15 }),
      sweep: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('replay' as const), i: fc.nat(30) }) },
);

const EXPECTED = new Set<string>([ErrorCode.INSUFFICIENT_POINTS, ErrorCode.CONFLICT, ErrorCode.NOT_FOUND]);

describe('ledger properties over random operation sequences (real database)', () => {
  const config = testConfig({ EXPIRY_SWEEP_INTERVAL: 'PT1H' });
  const running = useService(ledgerService, config);

  it('balances equal the sum of entries, nothing goes negative, replays change nothing', async () => {
    const stats = { entries: 0, ops: 0 };
    const { transactor, logger } = running().runtime;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 8, maxLength: 30, size: 'max' }), async (ops) => {
        let clock = new Date();
        const ledger = createLedger(transactor, running().app.accounts, {
          pointsValidity: 'P1Y',
          clock: () => clock,
        });
        const sweeper = new ExpirySweeper(transactor, ledger.holds, logger, {
          intervalMs: 1000,
          leads: [{ text: 'P3D', duration: requireDuration('P3D') }],
        });
        const members = [randomUUID(), randomUUID()];
        for (const m of members) await running().app.accounts.remember(m);
        const holds: string[] = [];
        const sources: { m: number; kind: string; id: string }[] = [];
        const done: { call: () => Promise<unknown>; result: string }[] = [];
        const actor = 'service:property-test';
        const count = () => transactor.read((m) => m.count(EntryRow));

        for (const op of ops) {
          const key = randomUUID();
          let call: (() => Promise<unknown>) | null = null;
          switch (op.t) {
            case 'earn': {
              const src = { m: op.m, kind: op.kind, id: key };
              sources.push(src);
              call = () =>
                ledger.credits.credit(
                  {
                    idempotencyKey: key,
                    memberId: members[op.m],
                    kind: op.kind,
                    points: op.points,
                    reason: 'earn',
                    validity: op.days === null ? 'NEVER' : `P${op.days}D`,
                    sourceType: 'purchase',
                    sourceId: src.id,
                  },
                  actor,
                );
              break;
            }
            case 'hold':
              call = async () => {
                const h = await ledger.holds.hold(
                  {
                    idempotencyKey: key,
                    memberId: members[op.m],
                    kind: op.kind,
                    points: op.points,
                    reason: 'hold',
                    ttlSeconds: 86_400,
                  },
                  actor,
                );
                if (!holds.includes(h.id)) holds.push(h.id);
                return h;
              };
              break;
            case 'capture':
            case 'release':
            case 'restore': {
              const holdId = holds[op.h % Math.max(holds.length, 1)];
              if (!holdId) continue;
              call =
                op.t === 'capture'
                  ? () => ledger.holds.capture(holdId, key, actor)
                  : op.t === 'release'
                    ? () => ledger.holds.release(holdId, key, 'release', actor)
                    : () => ledger.holds.restoreCapture(holdId, key, 'restore', actor);
              break;
            }
            case 'reverse': {
              const src = sources[op.src % Math.max(sources.length, 1)];
              if (!src) continue;
              call = () =>
                ledger.reversals.reverse(
                  {
                    idempotencyKey: key,
                    memberId: members[src.m],
                    kind: src.kind,
                    sourceType: 'purchase',
                    sourceId: src.id,
                    points: op.points,
                    reason: 'refund',
                  },
                  actor,
                );
              break;
            }
            case 'adjust':
              call = () =>
                ledger.credits.adjust(
                  {
                    idempotencyKey: key,
                    memberId: members[op.m],
                    kind: op.kind,
                    points: op.points,
                    reason: 'adjust',
                  },
                  actor,
                );
              break;
            case 'advance':
              // Without a sweep, debits must write off expired lots themselves before spending.
              clock = new Date(clock.getTime() + op.days * 86_400_000);
              if (op.sweep) await sweeper.tick(clock);
              continue;
            case 'replay': {
              const previous = done[op.i % Math.max(done.length, 1)];
              if (!previous) continue;
              const before = await count();
              const again = await previous.call();
              // Entries and reversals are immutable: the very same result. A hold is the same hold
              // (id, member, points, lots) reported with its current status.
              const stable = (r: unknown) => {
                const o = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
                return 'holdEntryId' in o
                  ? {
                      id: o.id,
                      memberId: o.memberId,
                      kind: o.kind,
                      points: o.points,
                      holdEntryId: o.holdEntryId,
                    }
                  : o;
              };
              expect(stable(again)).toEqual(stable(JSON.parse(previous.result)));
              expect(await count()).toBe(before);
              continue;
            }
          }
          try {
            const result = await call();
            done.push({ call, result: JSON.stringify(result) });
          } catch (error) {
            const code = (error as { extensions?: { code?: string } }).extensions?.code;
            if (!code || !EXPECTED.has(code)) throw error;
          }
        }
        const report = await transactor.read((m) => checkLedger(m));
        expect(report.problems).toEqual([]);
        // No debit ever took points from a lot at or after its expiry (only EXPIRE may).
        const spentExpired = await transactor.read((m) =>
          m.query(
            'SELECT COUNT(*) AS `n` FROM `ledger_lot_moves` `x` JOIN `ledger_entries` `e` ON `e`.`id` = `x`.`entryId` ' +
              'JOIN `ledger_lots` `l` ON `l`.`id` = `x`.`lotId` WHERE `x`.`points` < 0 AND `e`.`type` <> ? ' +
              'AND `l`.`expiresAt` IS NOT NULL AND `e`.`createdAt` >= `l`.`expiresAt`',
            ['EXPIRE'],
          ),
        );
        expect(Number(spentExpired[0].n)).toBe(0);
        stats.entries = await count();
        stats.ops += done.length;
      }),
      { numRuns: 50 },
    );
    // The runs did real work: many successful writes, hundreds of entries.
    expect(stats.ops).toBeGreaterThan(300);
    expect(stats.entries).toBeGreaterThan(300);
  }, 110_000);
});
