import { FakeLedger, SimulatedCrash } from '@loyalty/testing';
import { CatalogHarness } from './support/harness';

/**
 * What the real ledger cannot be made to do on cue: go down, or let a hold lapse between two saga
 * steps. The catalog runs on the in-memory ledger (held to the same contract, see
 * ledger-client.contract.int) in the whole graph, everything through the gateway.
 */
describe('the saga through ledger outages and lapsed holds (in-memory ledger)', () => {
  const ledger = new FakeLedger();
  const h = new CatalogHarness({ ledger });

  beforeAll(() => h.start());
  afterAll(() => h.stop());
  afterEach(() => {
    ledger.down = false;
    h.app.redemptions.hooks.afterHold = undefined;
  });

  const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) =>
    res.errors?.[0]?.extensions?.code;

  it('a ledger outage leaves the redemption PENDING; recovery finishes it once the ledger is back', async () => {
    const r = await h.reward({ name: 'Ticket', kind: 'TICKET', pointsPrice: 100, stock: 2 });
    const m = await h.member('Patient');
    ledger.credit(m, 100);
    ledger.down = true;
    const res = await h.redeem({ rewardId: r, idempotencyKey: 'outage' }, h.tokens.member(m));
    expect(codeOf(res)).toBe('SERVICE_UNAVAILABLE');
    expect(await h.stock(r)).toBe(1);
    const failed = await h.app.recovery.sweep({ staleAfterMs: 0 });
    expect(failed.failed).toBeGreaterThanOrEqual(1);
    ledger.down = false;
    await h.app.recovery.sweep({ staleAfterMs: 0 });
    expect(ledger.balance(m)).toBe(0);
    expect(ledger.held(m)).toBe(0);
    expect(await h.stock(r)).toBe(1);
  });

  it('a hold that lapsed before capture cancels the redemption and returns the stock', async () => {
    const r = await h.reward({ name: 'Slow thing', kind: 'GOODS', pointsPrice: 100, stock: 1 });
    const m = await h.member('Slowpoke');
    ledger.credit(m, 100);
    h.app.redemptions.hooks.afterHold = async () => {
      const [hold] = ledger.holdsOf(m);
      ledger.expire(hold.id);
      throw new SimulatedCrash('stalled until the hold expired');
    };
    await h.redeem({ rewardId: r, idempotencyKey: 'lapse' }, h.tokens.member(m));
    h.app.redemptions.hooks.afterHold = undefined;
    await h.app.recovery.sweep({ staleAfterMs: 0 });
    expect(ledger.balance(m)).toBe(100);
    expect(await h.stock(r)).toBe(1);
  });

  it('an outage while settling a cancellation is finished by the sweeper', async () => {
    const r = await h.reward({ name: 'Flight voucher', kind: 'TICKET', pointsPrice: 500 });
    const m = await h.member('Traveller');
    ledger.credit(m, 500);
    const id = (await h.redeem({ rewardId: r, idempotencyKey: 'f' }, h.tokens.member(m))).data!.redeemReward
      .id;
    ledger.down = true;
    await h.ok(
      'mutation($id: ID!) { cancelRedemption(id: $id, reason: "Flight cancelled") { status } }',
      { id },
      h.tokens.admin(),
    );
    expect(ledger.balance(m)).toBe(0);
    ledger.down = false;
    await h.app.recovery.sweep({ staleAfterMs: 0 });
    expect(ledger.balance(m)).toBe(550);
    await h.app.recovery.sweep({ staleAfterMs: 0 });
    expect(ledger.balance(m)).toBe(550);
  });
});
