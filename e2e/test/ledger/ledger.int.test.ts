import { eventually, testConfig } from '@loyalty/testing';
import { Topics, type BalanceChanged } from '@loyalty/platform';
import { useGraph } from '../support/graph';
import { ENTRY, ledgerClient } from './helpers';

describe('ledger through the gateway', () => {
  let api: ReturnType<typeof ledgerClient>;
  const { graph } = useGraph(testConfig({ POINTS_VALIDITY: 'P1Y', EXPIRY_SWEEP_INTERVAL: 'PT1H' }), (g) => {
    api = ledgerClient(g);
  });

  it('credits a lot, keeps balance, sequence and balanceAfter, history newest first', async () => {
    const id = await api.member('Li');
    const a = await api.credit({
      memberId: id,
      points: 120,
      merchantId: 'shop-1',
      sourceType: 'purchase',
      sourceId: 'p1',
    });
    expect(a.errors).toBeUndefined();
    expect(a.data!.ledgerCredit).toMatchObject({
      type: 'EARN',
      points: 120,
      balanceAfter: 120,
      sequence: 1,
      merchant: { id: 'shop-1' },
    });
    expect(new Date(a.data!.ledgerCredit.expiresAt).getTime()).toBeGreaterThan(Date.now() + 360 * 86_400_000);
    const g = await api.credit({ memberId: id, points: 7, kind: 'GREEN', validity: 'NEVER' });
    expect(g.data!.ledgerCredit).toMatchObject({
      kind: 'GREEN',
      balanceAfter: 7,
      sequence: 2,
      expiresAt: null,
    });
    const c = await api.credit({ memberId: id, points: 30, type: 'COMPENSATE' });
    expect(c.data!.ledgerCredit).toMatchObject({ type: 'COMPENSATE', balanceAfter: 150, sequence: 3 });

    const me = await api.gql(
      '{ me { balance balances { kind available } green: balance(kind: GREEN) expiringPoints(withinDays: 400) { kind points } } }',
      {},
      api.tokens.member(id),
    );
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toEqual({
      balance: 150,
      balances: [
        { kind: 'REGULAR', available: 150 },
        { kind: 'GREEN', available: 7 },
      ],
      green: 7,
      expiringPoints: [
        { kind: 'REGULAR', points: 120 },
        { kind: 'REGULAR', points: 30 },
      ],
    });
    const history = await api.history(id);
    expect(history.map((e) => e.sequence)).toEqual([3, 2, 1]);

    // Cursor pagination, newest first, filtered by kind.
    const page1 = await api.gql(
      'query($id: ID!) { member(id: $id) { history(first: 2) { edges { node { sequence } } pageInfo { hasNextPage endCursor } } } }',
      { id },
      api.tokens.member(id),
    );
    const { pageInfo } = page1.data!.member.history;
    expect(pageInfo.hasNextPage).toBe(true);
    const page2 = await api.gql(
      'query($id: ID!, $after: String) { member(id: $id) { history(first: 2, after: $after) { edges { node { sequence } } pageInfo { hasNextPage } } } }',
      { id, after: pageInfo.endCursor },
      api.tokens.member(id),
    );
    expect(page2.data!.member.history.edges).toEqual([{ node: { sequence: 1 } }]);
    const green = await api.gql(
      'query($id: ID!) { member(id: $id) { history(kind: GREEN) { edges { node { sequence } } } } }',
      { id },
      api.tokens.admin(),
    );
    expect(green.data!.member.history.edges).toEqual([{ node: { sequence: 2 } }]);

    // Replay for subscribers: oldest first after a sequence.
    const replay = await api.gql(
      'query($id: ID!) { member(id: $id) { balanceChanges(afterSequence: 1) { sequence kind delta balance entry { id type } member { id displayName } } } }',
      { id },
      api.tokens.member(id),
    );
    expect(replay.errors).toBeUndefined();
    expect(replay.data!.member.balanceChanges).toEqual([
      {
        sequence: 2,
        kind: 'GREEN',
        delta: 7,
        balance: 7,
        entry: { id: g.data!.ledgerCredit.id, type: 'EARN' },
        member: { id, displayName: 'Li' },
      },
      {
        sequence: 3,
        kind: 'REGULAR',
        delta: 30,
        balance: 150,
        entry: { id: c.data!.ledgerCredit.id, type: 'COMPENSATE' },
        member: { id, displayName: 'Li' },
      },
    ]);
  });

  it('is idempotent: a replay returns the first result, other parameters are CONFLICT', async () => {
    const id = await api.member('Idem');
    const input = { memberId: id, points: 50, idempotencyKey: 'campaigns:purchase:m1:o1:r1' };
    const first = await api.credit(input);
    const again = await api.credit(input);
    expect(again.data!.ledgerCredit).toEqual(first.data!.ledgerCredit);
    const other = await api.credit({ ...input, points: 51 });
    expect(other.errors?.[0].extensions?.code).toBe('CONFLICT');
    // Concurrent first attempts: one effect.
    const key = api.key('race');
    const results = await Promise.all(
      Array.from({ length: 8 }, () => api.credit({ memberId: id, points: 5, idempotencyKey: key })),
    );
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(new Set(results.map((r) => r.data!.ledgerCredit.id)).size).toBe(1);
    expect(await api.balance(id)).toBe(55);
    const adjustInput = { memberId: id, points: -5, reason: 'Correction', idempotencyKey: 'adj-1' };
    const adj = await api.gql(
      `mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { ${ENTRY} } }`,
      { input: adjustInput },
      api.tokens.admin(),
    );
    const adj2 = await api.gql(
      `mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { ${ENTRY} } }`,
      { input: adjustInput },
      api.tokens.admin(),
    );
    expect(adj.errors).toBeUndefined();
    expect(adj2.data!.adjustPoints.id).toBe(adj.data!.adjustPoints.id);
    expect(await api.balance(id)).toBe(50);
  });

  it('refuses bad input with BAD_USER_INPUT and writes nothing', async () => {
    const id = await api.member('Bad');
    await api.credit({ memberId: id, points: 10 });
    const before = await api.history(id);
    const bad = [
      { memberId: id, points: -5 },
      { memberId: id, points: 0 },
      { memberId: id, points: 1.5 },
      { memberId: id, points: 2 ** 31 },
      { memberId: id, points: 10, kind: 'PURPLE' },
      { memberId: '00000000-0000-4000-8000-000000000000', points: 10 },
      { memberId: id, points: 10, validity: 'soon' },
      { memberId: id, points: 10, reason: '  ' },
    ];
    for (const input of bad) {
      const res = await api.credit(input);
      expect({ input, code: res.errors?.[0].extensions?.code }).toEqual({ input, code: 'BAD_USER_INPUT' });
    }
    // Overflowing a balance beyond 2^31-1 is refused too.
    const big = await api.credit({ memberId: id, points: 2 ** 31 - 5 });
    expect(big.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const adj = await api.gql(
      'mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { id } }',
      { input: { memberId: id, points: 5, reason: '', idempotencyKey: api.key() } },
      api.tokens.admin(),
    );
    expect(adj.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const hold = await api.hold({ memberId: id, points: 5, ttlSeconds: -1 });
    expect(hold.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await api.history(id)).toEqual(before);
    expect((await api.check()).problems).toEqual([]);
  });

  it('holds, captures, releases and restores, each resolved once', async () => {
    const id = await api.member('Hold');
    await api.credit({ memberId: id, points: 100, validity: 'P30D' });
    await api.credit({ memberId: id, points: 100, validity: 'P10D' });
    const h = await api.hold({ memberId: id, points: 150, merchantId: 'shop-9' });
    expect(h.errors).toBeUndefined();
    expect(h.data!.ledgerHold).toMatchObject({ status: 'HELD', points: 150 });
    expect(await api.balance(id)).toBe(50);
    // Not enough left for a second hold of 60.
    const h2 = await api.hold({ memberId: id, points: 60 });
    expect(h2.errors?.[0].extensions?.code).toBe('INSUFFICIENT_POINTS');
    // The remaining 50 are in the later-expiring lot (soonest expiry consumed first).
    const expiring = await api.gql(
      'query($id: ID!) { member(id: $id) { expiringPoints(withinDays: 15) { points } } }',
      { id },
      api.tokens.admin(),
    );
    expect(expiring.data!.member.expiringPoints).toEqual([]);

    const holdId = h.data!.ledgerHold.id;
    const capture = `mutation($holdId: ID!, $key: String!) { ledgerCaptureHold(holdId: $holdId, idempotencyKey: $key) { ${ENTRY} } }`;
    const cap = await api.internal(capture, { holdId, key: 'cap-1' });
    expect(cap.errors).toBeUndefined();
    expect(cap.data!.ledgerCaptureHold).toMatchObject({
      type: 'REDEEM',
      points: -150,
      balanceAfter: 50,
      holdId,
    });
    expect((await api.internal(capture, { holdId, key: 'cap-1' })).data!.ledgerCaptureHold.id).toBe(
      cap.data!.ledgerCaptureHold.id,
    );
    expect((await api.internal(capture, { holdId, key: 'cap-2' })).errors?.[0].extensions?.code).toBe(
      'CONFLICT',
    );
    const release =
      'mutation($holdId: ID!, $key: String!) { ledgerReleaseHold(holdId: $holdId, idempotencyKey: $key, reason: "x") { status } }';
    expect((await api.internal(release, { holdId, key: 'rel-1' })).errors?.[0].extensions?.code).toBe(
      'CONFLICT',
    );

    const restore = `mutation($holdId: ID!) { ledgerRestoreCapture(holdId: $holdId, idempotencyKey: "res-1", reason: "Event cancelled") { ${ENTRY} } }`;
    const res = await api.internal(restore, { holdId });
    expect(res.data!.ledgerRestoreCapture).toMatchObject({ type: 'RESTORE', points: 150, balanceAfter: 200 });
    // Restored points keep their original expiry: 100 within 15 days, 50 later.
    const exp2 = await api.gql(
      'query($id: ID!) { member(id: $id) { expiringPoints(withinDays: 15) { points } } }',
      { id },
      api.tokens.admin(),
    );
    expect(exp2.data!.member.expiringPoints).toEqual([{ points: 100 }]);

    const h3 = await api.hold({ memberId: id, points: 80 });
    const rel = await api.internal(release, { holdId: h3.data!.ledgerHold.id, key: 'rel-3' });
    expect(rel.data!.ledgerReleaseHold.status).toBe('RELEASED');
    expect(await api.balance(id)).toBe(200);
    expect((await api.history(id)).map((e) => e.type)).toEqual([
      'RELEASE',
      'HOLD',
      'RESTORE',
      'REDEEM',
      'RELEASE',
      'HOLD',
      'EARN',
      'EARN',
    ]);
    const missing = await api.internal(capture, {
      holdId: '00000000-0000-4000-8000-000000000000',
      key: 'cap-x',
    });
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await api.check()).problems).toEqual([]);
  });

  it('answers concurrent attempts with one key as one write: the losers replay the winner', async () => {
    const id = await api.member('Race');
    await api.credit({ memberId: id, points: 100 });
    // Eight identical holds at once: on MySQL the losers wait on the member's lock and then find
    // only 40 points left; they must answer with the winner's hold, not INSUFFICIENT_POINTS.
    const key = api.key('race-hold');
    const holds = await Promise.all(
      Array.from({ length: 8 }, () => api.hold({ memberId: id, points: 60, idempotencyKey: key })),
    );
    expect(holds.map((h) => h.errors?.[0]?.extensions?.code)).toEqual(Array(8).fill(undefined));
    const holdIds = new Set(holds.map((h) => h.data!.ledgerHold.id));
    expect(holdIds.size).toBe(1);
    // Eight identical captures at once: the losers find the hold CAPTURED, which is no CONFLICT
    // for the same key.
    const capture = `mutation($holdId: ID!, $key: String!) { ledgerCaptureHold(holdId: $holdId, idempotencyKey: $key) { id } }`;
    const captures = await Promise.all(
      Array.from({ length: 8 }, () => api.internal(capture, { holdId: [...holdIds][0], key: 'race-cap' })),
    );
    expect(captures.map((c) => c.errors?.[0]?.extensions?.code)).toEqual(Array(8).fill(undefined));
    expect(new Set(captures.map((c) => c.data!.ledgerCaptureHold.id)).size).toBe(1);
    expect(await api.balance(id)).toBe(40);
    expect((await api.history(id)).map((e) => e.type)).toEqual(['REDEEM', 'RELEASE', 'HOLD', 'EARN']);
    expect((await api.check()).problems).toEqual([]);
  });

  it('times out a hold and returns its points to the lots', async () => {
    const id = await api.member('Timeout');
    await api.credit({ memberId: id, points: 40 });
    const h = await api.hold({ memberId: id, points: 40, ttlSeconds: 1 });
    expect(await api.balance(id)).toBe(0);
    const { sweeper } = api.ledger.app;
    const result = await sweeper.tick(new Date(Date.now() + 2000));
    expect(result.timedOutHolds).toBeGreaterThanOrEqual(1);
    expect(await api.balance(id)).toBe(40);
    const cap = await api.internal(
      'mutation($h: ID!) { ledgerCaptureHold(holdId: $h, idempotencyKey: "late") { id } }',
      { h: h.data!.ledgerHold.id },
    );
    expect(cap.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('reverses proportionally, never below zero, recording the shortfall', async () => {
    const id = await api.member('Refund');
    await api.credit({ memberId: id, points: 100, sourceType: 'purchase', sourceId: 'P-1' });
    const reverse =
      'mutation($input: LedgerReverseInput!) { ledgerReverse(input: $input) { requested reversed shortfall entry { type points balanceAfter } } }';
    const base = { memberId: id, sourceType: 'purchase', sourceId: 'P-1', reason: 'Refund' };
    // 30% refunded: 30 points back.
    const r1 = await api.internal(reverse, {
      input: { ...base, idempotencyKey: 'rf-1', refundedAmount: 3000, purchaseAmount: 10000 },
    });
    expect(r1.errors).toBeUndefined();
    expect(r1.data!.ledgerReverse).toEqual({
      requested: 30,
      reversed: 30,
      shortfall: 0,
      entry: { type: 'REVERSE', points: -30, balanceAfter: 70 },
    });
    // The member spends 60 of the remaining 70.
    const h = await api.hold({ memberId: id, points: 60 });
    await api.internal('mutation($h: ID!) { ledgerCaptureHold(holdId: $h, idempotencyKey: "c-rf") { id } }', {
      h: h.data!.ledgerHold.id,
    });
    // Then the whole purchase is refunded: 70 more to take, only 10 left.
    const r2 = await api.internal(reverse, {
      input: { ...base, idempotencyKey: 'rf-2', refundedAmount: 10000, purchaseAmount: 10000 },
    });
    expect(r2.data!.ledgerReverse).toEqual({
      requested: 70,
      reversed: 10,
      shortfall: 60,
      entry: { type: 'REVERSE', points: -10, balanceAfter: 0 },
    });
    // Nothing earned is left to take back.
    const r3 = await api.internal(reverse, { input: { ...base, idempotencyKey: 'rf-3', points: 5 } });
    expect(r3.data!.ledgerReverse).toEqual({ requested: 0, reversed: 0, shortfall: 0, entry: null });
    expect(await api.balance(id)).toBe(0);
    expect((await api.check()).problems).toEqual([]);
  });

  it('records a refund whose points were all spent as an entry of its own', async () => {
    const id = await api.member('SpentRefund');
    await api.credit({ memberId: id, points: 50, sourceType: 'purchase', sourceId: 'P-2' });
    const h = await api.hold({ memberId: id, points: 50 });
    await api.internal(
      'mutation($h: ID!) { ledgerCaptureHold(holdId: $h, idempotencyKey: "c-spent") { id } }',
      {
        h: h.data!.ledgerHold.id,
      },
    );
    const reverse =
      'mutation($input: LedgerReverseInput!) { ledgerReverse(input: $input) { requested reversed shortfall entry { type points balanceAfter description } } }';
    const input = {
      memberId: id,
      sourceType: 'purchase',
      sourceId: 'P-2',
      reason: 'Refund',
      idempotencyKey: 'rf-spent',
      refundedAmount: 5000,
      purchaseAmount: 5000,
    };
    const first = await api.internal(reverse, { input });
    expect(first.data!.ledgerReverse).toEqual({
      requested: 50,
      reversed: 0,
      shortfall: 50,
      entry: {
        type: 'REVERSE',
        points: 0,
        balanceAfter: 0,
        description: 'Refund (50 points already spent: none taken back)',
      },
    });
    // A replay returns the same entry and writes nothing more.
    expect((await api.internal(reverse, { input })).data).toEqual(first.data);
    const trail = (await api.history(id)).map((e) => `${e.type}:${e.points}`);
    expect(trail).toEqual(['REVERSE:0', 'REDEEM:-50', 'RELEASE:50', 'HOLD:-50', 'EARN:50']);
    expect(await api.balance(id)).toBe(0);
    expect((await api.check()).problems).toEqual([]);
  });

  it('extends validity with a trail', async () => {
    const id = await api.member('Extend');
    const c = await api.credit({
      memberId: id,
      points: 10,
      validity: 'P5D',
      sourceType: 'purchase',
      sourceId: 'X',
    });
    const res = await api.internal(
      'mutation($input: LedgerExtendInput!) { ledgerExtendValidity(input: $input) }',
      {
        input: {
          idempotencyKey: 'ext-1',
          memberId: id,
          extendBy: 'P30D',
          reason: 'Compensation',
          sourceType: 'purchase',
          sourceId: 'X',
        },
      },
    );
    expect(res.data!.ledgerExtendValidity).toBe(1);
    const exp = await api.gql(
      'query($id: ID!) { member(id: $id) { expiringPoints(withinDays: 20) { points } later: expiringPoints(withinDays: 40) { points expiresAt } } }',
      { id },
      api.tokens.admin(),
    );
    expect(exp.data!.member.expiringPoints).toEqual([]);
    expect(new Date(exp.data!.member.later[0].expiresAt).getTime()).toBe(
      new Date(c.data!.ledgerCredit.expiresAt).getTime() + 30 * 86_400_000,
    );
  });

  it('enforces object-level access', async () => {
    const a = await api.member('A');
    const b = await api.member('B');
    await api.credit({ memberId: b, points: 10, merchantId: 'shop-a' });
    await api.credit({ memberId: b, points: 20, merchantId: 'shop-b' });
    const q =
      'query($id: ID!) { member(id: $id) { balance history { edges { node { points merchant { id } } } } } }';
    const other = await api.gql(q, { id: b }, api.tokens.member(a));
    expect(other.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const partner = await api.gql(q, { id: b }, api.tokens.partner('shop-a'));
    expect(partner.errors).toBeUndefined();
    expect(partner.data!.member).toEqual({
      balance: 30,
      history: { edges: [{ node: { points: 10, merchant: { id: 'shop-a' } } }] },
    });
    const replay = await api.gql(
      'query($id: ID!) { member(id: $id) { balanceChanges(afterSequence: 0) { sequence } } }',
      { id: b },
      api.tokens.partner('shop-a'),
    );
    expect(replay.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const adjust = await api.gql(
      'mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { id } }',
      { input: { memberId: b, points: 5, reason: 'gift', idempotencyKey: api.key() } },
      api.tokens.member(b),
    );
    expect(adjust.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    // Internal operations are not in the public graph, and need a service token on the subgraph.
    const hidden = await api.gql(
      'mutation { ledgerCredit(input: { idempotencyKey: "x", memberId: "y", points: 1, reason: "r" }) { id } }',
      {},
      api.tokens.admin(),
    );
    expect(hidden.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const direct = await fetch(api.ledger.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.tokens.admin()}` },
      body: JSON.stringify({
        query:
          'mutation { ledgerCredit(input: { idempotencyKey: "x", memberId: "y", points: 1, reason: "r" }) { id } }',
      }),
    }).then((r) => r.json() as Promise<{ errors?: { extensions?: { code?: string } }[] }>);
    expect(direct.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('audits by member, merchant, kind, type and period, with a CSV export', async () => {
    const id = await api.member('Audit');
    const start = new Date(Date.now() - 1000).toISOString();
    await api.credit({ memberId: id, points: 10, merchantId: 'audit-shop' });
    await api.credit({
      memberId: id,
      points: 3,
      kind: 'GREEN',
      merchantId: 'audit-shop',
      reason: 'Organic, "fresh" food',
    });
    await api.credit({ memberId: id, points: 4, merchantId: 'other-shop' });
    const q =
      'query($f: LedgerAuditFilter, $after: String) { ledgerAudit(filter: $f, first: 2, after: $after) { edges { node { points kind } } pageInfo { hasNextPage endCursor } } }';
    const p1 = await api.gql(q, { f: { memberId: id, from: start } }, api.tokens.admin());
    expect(p1.errors).toBeUndefined();
    expect(p1.data!.ledgerAudit.edges.map((e: { node: { points: number } }) => e.node.points)).toEqual([
      4, 3,
    ]);
    const p2 = await api.gql(
      q,
      { f: { memberId: id }, after: p1.data!.ledgerAudit.pageInfo.endCursor },
      api.tokens.admin(),
    );
    expect(p2.data!.ledgerAudit.edges.map((e: { node: { points: number } }) => e.node.points)).toEqual([10]);
    const green = await api.gql(
      q,
      { f: { merchantId: 'audit-shop', kind: 'GREEN', type: 'EARN' } },
      api.tokens.admin(),
    );
    expect(green.data!.ledgerAudit.edges).toEqual([{ node: { points: 3, kind: 'GREEN' } }]);
    const partner = await api.gql(q, { f: { memberId: id } }, api.tokens.partner('other-shop'));
    expect(partner.data!.ledgerAudit.edges).toEqual([{ node: { points: 4, kind: 'REGULAR' } }]);
    const foreign = await api.gql(q, { f: { merchantId: 'audit-shop' } }, api.tokens.partner('other-shop'));
    expect(foreign.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const csv = await api.gql(
      'query($f: LedgerAuditFilter) { ledgerAuditCsv(filter: $f) }',
      { f: { memberId: id } },
      api.tokens.admin(),
    );
    const lines = (csv.data!.ledgerAuditCsv as string).trim().split('\r\n');
    expect(lines[0]).toMatch(/^createdAt,entryId,memberId,sequence,kind,type,points/);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain('"Organic, ""fresh"" food"');
    const denied = await api.gql('{ ledgerAuditCsv }', {}, api.tokens.member(id));
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('answers list fields with a number of SQL queries that does not grow with the list', async () => {
    for (let i = 0; i < 6; i += 1) {
      const id = await api.member(`Batch${i}`);
      for (let j = 0; j < 3; j += 1)
        await api.credit({ memberId: id, points: 5 + j, merchantId: `shop-${j}` });
    }
    const counter = api.ledger.runtime.db.queries;
    const run = async (n: number) => {
      const query = `{ members(first: ${n}) { edges { node { id balance balances { available } expiringPoints(withinDays: 400) { points } history(first: 5) { edges { node { points merchant { id } } } } balanceChanges(afterSequence: 0) { delta entry { id } } expiryWarnings { points } } } } }`;
      counter.reset(true);
      const res = await api.gql(query, {}, api.tokens.admin());
      expect(res.errors).toBeUndefined();
      expect(res.data!.members.edges).toHaveLength(n);
      // The outbox relay polls on its own timer: not part of the request.
      return counter.statements.filter((sql) => !sql.includes('outbox_events')).length;
    };
    // One query per loader (accounts, expiring) and up to two per page shape (history,
    // balanceChanges, warnings): at most 8, whether the list has 2 members or 6.
    const two = await run(2);
    const six = await run(6);
    expect(two).toBeLessThanOrEqual(8);
    expect(six).toBeLessThanOrEqual(8);
  });

  it('50 concurrent 100-point debits against 1,000 points: exactly 10 succeed', async () => {
    const id = await api.member('Race');
    await api.credit({ memberId: id, points: 600, validity: 'P10D' });
    await api.credit({ memberId: id, points: 400, validity: 'P20D' });
    const attempts = Array.from({ length: 50 }, (_, i) =>
      i % 2 === 0
        ? api.hold({ memberId: id, points: 100 }).then((r) => r.errors?.[0].extensions?.code ?? 'OK')
        : api
            .gql(
              'mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { id } }',
              { input: { memberId: id, points: -100, reason: 'debit', idempotencyKey: api.key('race') } },
              api.tokens.admin(),
            )
            .then((r) => r.errors?.[0].extensions?.code ?? 'OK'),
    );
    const codes = await Promise.all(attempts);
    expect(codes.filter((c) => c === 'OK')).toHaveLength(10);
    expect(codes.filter((c) => c !== 'OK').every((c) => c === 'INSUFFICIENT_POINTS')).toBe(true);
    expect(await api.balance(id)).toBe(0);
    const history = await api.history(id, 100);
    expect(history.map((e) => e.sequence)).toEqual(Array.from({ length: 12 }, (_, i) => 12 - i));
    expect((await api.check()).problems).toEqual([]);
  });

  it('the invariant check re-derives balances, lots and sequences and reports any mismatch', async () => {
    const id = await api.member('Check');
    await api.credit({ memberId: id, points: 40 });
    expect(await api.check()).toMatchObject({ ok: true, problems: [] });
    const ds = api.ledger.runtime.db.dataSource;
    await ds.query(
      'UPDATE `ledger_accounts` SET `balance` = `balance` + 1 WHERE `memberId` = ? AND `kind` = ?',
      [id, 'REGULAR'],
    );
    await ds.query('UPDATE `ledger_lots` SET `remaining` = `remaining` - 2 WHERE `memberId` = ?', [id]);
    const broken = await api.check();
    expect(broken.ok).toBe(false);
    expect(broken.problems.join('\n')).toMatch(
      new RegExp(`account ${id}\\|REGULAR: balance 41, entries sum to 40`),
    );
    expect(broken.problems.join('\n')).toMatch(/lot .*: remaining 38 of 40, moves give 40/);
    await ds.query(
      'UPDATE `ledger_accounts` SET `balance` = `balance` - 1 WHERE `memberId` = ? AND `kind` = ?',
      [id, 'REGULAR'],
    );
    await ds.query('UPDATE `ledger_lots` SET `remaining` = `remaining` + 2 WHERE `memberId` = ?', [id]);
    expect((await api.check()).problems).toEqual([]);
  });

  it('publishes balance.changed for every entry, in sequence, through the outbox', async () => {
    const seen: BalanceChanged[] = [];
    const stopListening = await graph().transport.listen(Topics.balanceChanged, (e) => seen.push(e.payload));
    try {
      const id = await api.member('Events');
      await api.credit({ memberId: id, points: 30 });
      const h = await api.hold({ memberId: id, points: 10 });
      await api.internal(
        'mutation($h: ID!) { ledgerCaptureHold(holdId: $h, idempotencyKey: "ev-cap") { id } }',
        {
          h: h.data!.ledgerHold.id,
        },
      );
      const mine = await eventually(async () => {
        const list = seen.filter((p) => p.memberId === id);
        return list.length === 4 ? list : null;
      });
      expect(mine.map((p) => [p.sequence, p.entryType, p.delta, p.balance])).toEqual([
        [1, 'EARN', 30, 30],
        [2, 'HOLD', -10, 20],
        [3, 'RELEASE', 10, 30],
        [4, 'REDEEM', -10, 20],
      ]);
      const history = await api.history(id);
      expect(mine.map((p) => p.entryId)).toEqual(history.map((e) => e.id).reverse());
    } finally {
      await stopListening();
    }
  });
});
