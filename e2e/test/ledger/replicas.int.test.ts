import { startGraph, SERVICES, type RunningGraph } from '@loyalty/launcher';
import { onMysql, testConfig } from '@loyalty/testing';
import type { RunningService } from '@loyalty/platform';
import type { LedgerApp } from '@loyalty/ledger';
import { ledgerClient } from './helpers';

// Replicas share one MySQL database (SQLite is the single-process embedded default).
const describeOnMysql = onMysql() ? describe : describe.skip;

describeOnMysql('two ledger replicas on one database', () => {
  const config = testConfig({
    POINTS_VALIDITY: 'PT3S',
    EXPIRY_WARNING_LEADS: 'PT2S,PT1S',
    // The test drives both replicas' sweeps itself, at times it chooses (below).
    EXPIRY_SWEEP_INTERVAL: 'PT1H',
  });
  let graph: RunningGraph;
  let second: RunningService<LedgerApp>;
  let api: ReturnType<typeof ledgerClient>;

  beforeAll(async () => {
    graph = await startGraph({ config, ephemeralPorts: true });
    api = ledgerClient(graph);
    // A second replica with its own sweeper, relay and connection pool.
    second = await SERVICES.ledger.start({ config, port: 0, transport: graph.transport, peers: graph.peers });
  });
  afterAll(async () => {
    await second?.stop();
    await graph?.stop();
  });

  it('expire every lot once and warn once per lot and lead while both sweep', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await api.member(`Replica${i}`));
    // Writes go to both replicas.
    const started = Date.now();
    const writes = ids.flatMap((id, i) =>
      Array.from({ length: 8 }, (_, j) =>
        (j % 2 ? second.app : api.ledger.app).ledger.credits.credit(
          { idempotencyKey: `rep-${i}-${j}`, memberId: id, kind: 'REGULAR', points: 10 + j, reason: 'earn' },
          'service:test',
        ),
      ),
    );
    await Promise.all(writes);
    const written = Date.now();
    // Both replicas sweep at the same moments, stepping a quarter second at a time through every
    // lot's warning windows (each 1 s wide) and past its expiry: each sweep runs at the time it is
    // given, so what it finds does not depend on how fast this machine is.
    for (let t = started + 750; t <= written + 3_500; t += 250) {
      const now = new Date(t);
      await Promise.all([api.ledger.app.sweeper.tick(now), second.app.sweeper.tick(now)]);
    }
    const ds = api.ledger.runtime.db.dataSource;
    const expires: { n: unknown }[] = await ds.query(
      'SELECT `lotId`, COUNT(*) AS `n` FROM `ledger_entries` WHERE `type` = ? GROUP BY `lotId`',
      ['EXPIRE'],
    );
    const warnings: { n: unknown }[] = await ds.query(
      'SELECT `lotId`, `lead`, COUNT(*) AS `n` FROM `ledger_expiry_warnings` GROUP BY `lotId`, `lead`',
    );
    expect(expires).toHaveLength(40);
    expect(expires.every((r: { n: unknown }) => Number(r.n) === 1)).toBe(true);
    expect(warnings).toHaveLength(80);
    expect(warnings.every((r: { n: unknown }) => Number(r.n) === 1)).toBe(true);
    for (const id of ids) expect(await api.balance(id)).toBe(0);
    expect((await api.check()).problems).toEqual([]);
  }, 30_000);
});
