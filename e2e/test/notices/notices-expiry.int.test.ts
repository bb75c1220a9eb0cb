import { testConfig } from '@loyalty/testing';
import { useGraph } from '../support/graph';
import { ledgerClient } from '../ledger/helpers';
import {
  Collector,
  settledSubscriptions,
  subscriptionsAtLeast,
  wsClient,
} from '../realtime/support/realtime';
import { noticeHelpers } from './support';

type Warning = { pointsExpiring: { points: number; lead: string; createdAt: string | null } };

/**
 * The real ledger's sweep, end to end: a lot nearing expiry gives the member one EXPIRY_WARNING
 * notice per lead, and the live `pointsExpiring` payload carries every non-null field (createdAt).
 */
describe('expiry warnings from the ledger sweep', () => {
  const clients: { dispose(): Promise<void> | void }[] = [];
  const { graph } = useGraph(
    testConfig({
      POINTS_VALIDITY: 'PT8S',
      EXPIRY_WARNING_LEADS: 'PT6S,PT3S',
      EXPIRY_SWEEP_INTERVAL: 'PT0.3S',
    }),
    undefined,
    async () => {
      for (const c of clients) await c.dispose();
    },
  );
  const h = noticeHelpers(graph);

  it('notices each lead once, naming the merchant, and pushes warnings with createdAt', async () => {
    const api = ledgerClient(graph());
    const shop = await h.merchant('Bakery');
    const id = await h.register('Soon expiring');
    const { client } = wsClient(graph().url.replace(/^http/, 'ws'), h.tokens().member(id));
    clients.push(client);
    const gateway = { gateway: graph().gateway! };
    const before = await settledSubscriptions(gateway);
    const live = new Collector<Warning>(client, 'subscription { pointsExpiring { points lead createdAt } }');
    await subscriptionsAtLeast(gateway, before + 1);

    const credit = await api.credit({ memberId: id, points: 25, merchantId: shop });
    expect(credit.errors).toBeUndefined();
    const warnings = await live.waitFor(2, 15_000);
    expect(warnings.map((w) => w.pointsExpiring.lead)).toEqual(['PT6S', 'PT3S']);
    for (const w of warnings) {
      expect(w.pointsExpiring.points).toBe(25);
      expect(new Date(w.pointsExpiring.createdAt as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    }
    const notices = await h.noticesOf(id, 'EXPIRY_WARNING', 2);
    expect(notices).toHaveLength(2);
    expect(notices[0].body).toMatch(/^25 points you earned at Bakery expire on /);
    // A further sweep, with everything it published delivered, adds no notice.
    await api.ledger.app.sweeper.tick();
    await api.ledger.relay.flush();
    expect((await h.notices(id)).filter((n) => n.kind === 'EXPIRY_WARNING')).toHaveLength(2);
  }, 30_000);
});
