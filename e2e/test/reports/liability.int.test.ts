import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { ErrorCode, requireDuration, type RunningService } from '@loyalty/platform';
import { createLedger, ExpirySweeper, type LedgerApp } from '@loyalty/ledger';
import { testConfig } from '@loyalty/testing';
import { useGraph } from '../support/graph';
import { rawLiability, remainingNow, type Figures } from './support/liability-sql';

type Op =
  | { t: 'earn'; m: number; merchant: number; kind: string; points: number; days: number | null }
  | { t: 'hold'; m: number; kind: string; points: number }
  | { t: 'capture' | 'release' | 'restore'; h: number }
  | { t: 'reverse'; src: number; points: number }
  | { t: 'adjust'; m: number; kind: string; points: number }
  | { t: 'advance'; hours: number; sweep: boolean };

const kind = fc.constantFrom('REGULAR', 'GREEN');
const member = fc.integer({ min: 0, max: 2 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('earn' as const),
      m: member,
      merchant: fc.integer({ min: 0, max: 2 }),
      kind,
      points: fc.integer({ min: 1, max: 300 }),
      days: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('hold' as const),
      m: member,
      kind,
      points: fc.integer({ min: 1, max: 250 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constantFrom('capture' as const, 'release' as const, 'restore' as const),
      h: fc.nat(6),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('reverse' as const),
      src: fc.nat(8),
      points: fc.integer({ min: 1, max: 300 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('adjust' as const),
      m: member,
      kind,
      points: fc.integer({ min: -200, max: 200 }).filter((n) => n !== 0),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('advance' as const),
      hours: fc.integer({ min: 1, max: 72 }),
      sweep: fc.boolean(),
    }),
  },
);

const EXPECTED = new Set<string>([ErrorCode.INSUFFICIENT_POINTS, ErrorCode.CONFLICT, ErrorCode.NOT_FOUND]);

const LIABILITY = `query($merchantId: ID, $kind: PointKind, $from: DateTime!, $to: DateTime!) {
  pointsLiability(merchantId: $merchantId, kind: $kind, from: $from, to: $to) {
    merchant { id } kind from to issued redeemed expired reversed outstanding breakageRate
  }
}`;

describe('pointsLiability through the gateway', () => {
  const { graph, gql, tokens } = useGraph(testConfig({ EXPIRY_SWEEP_INTERVAL: 'PT1H' }));
  const ledger = () => graph().services.ledger as RunningService<LedgerApp>;

  const report = async (
    merchantId: string | null,
    kind: string,
    from: Date,
    to: Date,
    token = tokens.admin(),
  ) => gql(LIABILITY, { merchantId, kind, from: from.toISOString(), to: to.toISOString() }, token);

  it('equals a raw SQL recomputation of the trail over random operations (property)', async () => {
    const { transactor, logger } = ledger().runtime;
    const ds = ledger().runtime.db.dataSource;
    let checked = 0;
    // Far in the future: the graph's own sweeper (system clock) never finds these lots due.
    let clock = new Date(Date.UTC(2031, 0, 1) + Math.floor(Math.random() * 1e9));
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 10, maxLength: 35, size: 'max' }),
        fc.array(
          fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
          {
            minLength: 2,
            maxLength: 2,
          },
        ),
        async (ops, periods) => {
          const start = clock;
          const ledgerAt = createLedger(transactor, ledger().app.accounts, {
            pointsValidity: 'P1Y',
            clock: () => clock,
          });
          const sweeper = new ExpirySweeper(transactor, ledgerAt.holds, logger, {
            intervalMs: 1000,
            leads: [{ text: 'P1D', duration: requireDuration('P1D') }],
          });
          const run = randomUUID().slice(0, 8);
          const merchants = [`shop-a-${run}`, `shop-b-${run}`, null];
          const members = [randomUUID(), randomUUID(), randomUUID()];
          for (const m of members) await ledger().app.accounts.remember(m);
          const holds: string[] = [];
          const sources: { m: number; kind: string; id: string; merchantId: string | null }[] = [];
          const actor = 'service:liability-test';
          for (const op of ops) {
            const key = randomUUID();
            let call: (() => Promise<unknown>) | null = null;
            switch (op.t) {
              case 'earn': {
                const src = { m: op.m, kind: op.kind, id: key, merchantId: merchants[op.merchant] };
                sources.push(src);
                call = () =>
                  ledgerAt.credits.credit(
                    {
                      idempotencyKey: key,
                      memberId: members[op.m],
                      kind: op.kind,
                      points: op.points,
                      reason: 'earn',
                      validity: op.days === null ? 'NEVER' : `P${op.days}D`,
                      merchantId: src.merchantId,
                      sourceType: 'purchase',
                      sourceId: src.id,
                    },
                    actor,
                  );
                break;
              }
              case 'hold':
                call = async () => {
                  const h = await ledgerAt.holds.hold(
                    {
                      idempotencyKey: key,
                      memberId: members[op.m],
                      kind: op.kind,
                      points: op.points,
                      reason: 'hold',
                      ttlSeconds: 86_400 * 30,
                    },
                    actor,
                  );
                  holds.push(h.id);
                };
                break;
              case 'capture':
              case 'release':
              case 'restore': {
                const holdId = holds[op.h % Math.max(holds.length, 1)];
                if (!holdId) continue;
                call =
                  op.t === 'capture'
                    ? () => ledgerAt.holds.capture(holdId, key, actor)
                    : op.t === 'release'
                      ? () => ledgerAt.holds.release(holdId, key, 'release', actor)
                      : () => ledgerAt.holds.restoreCapture(holdId, key, 'restore', actor);
                break;
              }
              case 'reverse': {
                const src = sources[op.src % Math.max(sources.length, 1)];
                if (!src) continue;
                call = () =>
                  ledgerAt.reversals.reverse(
                    {
                      idempotencyKey: key,
                      memberId: members[src.m],
                      kind: src.kind,
                      sourceType: 'purchase',
                      sourceId: src.id,
                      points: op.points,
                      reason: 'refund',
                      merchantId: src.merchantId,
                    },
                    actor,
                  );
                break;
              }
              case 'adjust':
                call = () =>
                  ledgerAt.credits.adjust(
                    {
                      idempotencyKey: key,
                      memberId: members[op.m],
                      kind: op.kind,
                      points: op.points,
                      reason: 'fix',
                    },
                    actor,
                  );
                break;
              case 'advance':
                clock = new Date(clock.getTime() + op.hours * 3_600_000);
                if (op.sweep) await sweeper.tick(clock);
                continue;
            }
            try {
              await call();
            } catch (error) {
              const code = (error as { extensions?: { code?: string } }).extensions?.code;
              if (!code || !EXPECTED.has(code)) throw error;
            }
            // Entries of one run are spread over time, so periods cut through them.
            clock = new Date(clock.getTime() + 60_000);
          }
          const end = new Date(clock.getTime() + 1);
          const span = end.getTime() - start.getTime();
          const [a, b] = periods.map(([x, y]) => [x, y].sort((p, q) => p - q));
          const windows: [Date, Date][] = [
            [start, end],
            [new Date(start.getTime() + a[0] * span), new Date(start.getTime() + a[1] * span)],
            [new Date(start.getTime() + b[0] * span), new Date(start.getTime() + b[1] * span)],
          ];
          for (const merchantId of [merchants[0], merchants[1], null]) {
            for (const k of ['REGULAR', 'GREEN']) {
              for (const [from, to] of windows) {
                const res = await report(merchantId, k, from, to);
                expect(res.errors).toBeUndefined();
                const got = res.data!.pointsLiability;
                const want: Figures = await rawLiability(ds, merchantId, k, from, to);
                expect({
                  issued: got.issued,
                  redeemed: got.redeemed,
                  expired: got.expired,
                  reversed: got.reversed,
                  outstanding: got.outstanding,
                }).toEqual(want);
                expect(got.breakageRate).toBeCloseTo(want.issued === 0 ? 0 : want.expired / want.issued, 10);
                expect(got.merchant).toEqual(merchantId ? { id: merchantId } : null);
                checked += 1;
              }
              // At the end of the run, the outstanding liability is what the lots hold now.
              const [whole] = windows;
              const res = await report(merchantId, k, whole[0], whole[1]);
              expect(res.data!.pointsLiability.outstanding).toBe(await remainingNow(ds, merchantId, k));
            }
          }
          // A period's figures move the outstanding from its start to its end.
          const [from, to] = windows[1];
          for (const merchantId of [merchants[0], null]) {
            const before = (await report(merchantId, 'REGULAR', start, from)).data!.pointsLiability;
            const during = (await report(merchantId, 'REGULAR', from, to)).data!.pointsLiability;
            expect(during.outstanding).toBe(
              before.outstanding + during.issued - during.redeemed - during.expired - during.reversed,
            );
          }
        },
      ),
      { numRuns: 12 },
    );
    expect(checked).toBeGreaterThan(100);
  }, 180_000);

  it('a partner reads only its own merchant; members and anonymous callers none', async () => {
    const from = new Date(Date.now() - 86_400_000);
    const to = new Date(Date.now() + 86_400_000);
    const own = await report('shop-own', 'REGULAR', from, to, tokens.partner('shop-own'));
    expect(own.errors).toBeUndefined();
    expect(own.data!.pointsLiability.merchant).toEqual({ id: 'shop-own' });
    const omitted = await report(null, 'REGULAR', from, to, tokens.partner('shop-own'));
    expect(omitted.data!.pointsLiability.merchant).toEqual({ id: 'shop-own' });
    const other = await report('shop-other', 'REGULAR', from, to, tokens.partner('shop-own'));
    expect(other.errors?.[0].extensions?.code).toBe(ErrorCode.FORBIDDEN);
    expect(other.data).toBeNull();
    const member = await report(null, 'REGULAR', from, to, tokens.member(randomUUID()));
    expect(member.errors?.[0].extensions?.code).toBe(ErrorCode.FORBIDDEN);
    const anonymous = await gql(LIABILITY, { from: from.toISOString(), to: to.toISOString() });
    expect(anonymous.errors?.[0].extensions?.code).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('a from after to is BAD_USER_INPUT and writes nothing', async () => {
    const ds = ledger().runtime.db.dataSource;
    const count = async () => Number((await ds.query('SELECT COUNT(*) AS n FROM ledger_entries'))[0].n);
    const before = await count();
    const res = await report(null, 'REGULAR', new Date(Date.UTC(2030, 1, 2)), new Date(Date.UTC(2030, 1, 1)));
    expect(res.errors?.[0].extensions?.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(res.data).toBeNull();
    expect(await count()).toBe(before);
  });
});
