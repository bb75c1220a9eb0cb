import { startGraph, SERVICES, type RunningGraph } from '@loyalty/launcher';
import { eventually, onMysql, testConfig } from '@loyalty/testing';
import type { RunningService } from '@loyalty/platform';
import type { LedgerApp } from '@loyalty/ledger';
import { ledgerClient } from './helpers';

// Replicas share one MySQL database (SQLite is the single-process embedded default).
const describeOnMysql = onMysql() ? describe : describe.skip;

describeOnMysql('two ledger replicas on one database', () => {
  const config = testConfig({
    POINTS_VALIDITY: 'PT3S',
    EXPIRY_WARNING_LEADS: 'PT2S,PT1S',
    EXPIRY_SWEEP_INTERVAL: 'PT0.2S',
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
    // Writes go to both replicas while they sweep.
    const writes = ids.flatMap((id, i) =>
      Array.from({ length: 8 }, (_, j) =>
        (j % 2 ? second.app : api.ledger.app).ledger.credits.credit(
          { idempotencyKey: `rep-${i}-${j}`, memberId: id, kind: 'REGULAR', points: 10 + j, reason: 'earn' },
          'service:test',
        ),
      ),
    );
    await Promise.all(writes);
    const ds = api.ledger.runtime.db.dataSource;
    // Both replicas keep sweeping: wait until every lot has expired and every warning is recorded.
    const { expires, warnings } = await eventually(async () => {
      const e: { n: unknown }[] = await ds.query(
        'SELECT `lotId`, COUNT(*) AS `n` FROM `ledger_entries` WHERE `type` = ? GROUP BY `lotId`',
        ['EXPIRE'],
      );
      const w: { n: unknown }[] = await ds.query(
        'SELECT `lotId`, `lead`, COUNT(*) AS `n` FROM `ledger_expiry_warnings` GROUP BY `lotId`, `lead`',
      );
      return e.length >= 40 && w.length >= 80 ? { expires: e, warnings: w } : null;
    }, 20_000);
    expect(expires).toHaveLength(40);
    expect(expires.every((r: { n: unknown }) => Number(r.n) === 1)).toBe(true);
    expect(warnings).toHaveLength(80);
    expect(warnings.every((r: { n: unknown }) => Number(r.n) === 1)).toBe(true);
    for (const id of ids) expect(await api.balance(id)).toBe(0);
    expect((await api.check()).problems).toEqual([]);
  }, 30_000);
});
