import { randomUUID } from 'node:crypto';
import { ErrorCode, requestScope } from '@loyalty/platform';
import { testConfig, useService } from '@loyalty/testing';
import { EntryRow } from '../src/entries/entry.entity';
import { MAX_POINTS } from '../src/ledger/ledger.rules';
import { ledgerService } from '../src/service';

/**
 * Group commit: concurrent writes share transactions. Each must still be idempotent, refused
 * alone, and leave the ledger consistent (the invariant check re-derives every balance, lot and
 * sequence).
 */
describe('group commit (real database)', () => {
  const config = testConfig({ EXPIRY_SWEEP_INTERVAL: 'PT1H' });
  const running = useService(ledgerService, config);

  const credit = (memberId: string, points: number, key = randomUUID()) =>
    running().app.ledger.credits.credit(
      { idempotencyKey: key, memberId, kind: 'REGULAR', points, reason: 'group' },
      'service:test',
    );
  const hold = (memberId: string, points: number) =>
    running().app.ledger.holds.hold(
      { idempotencyKey: randomUUID(), memberId, kind: 'REGULAR', points, reason: 'group' },
      'service:test',
    );
  const members = async (n: number) => {
    const ids = Array.from({ length: n }, () => randomUUID());
    for (const id of ids) await running().app.accounts.remember(id);
    return ids;
  };
  const codeOf = (e: unknown) => (e as { extensions?: { code?: string } }).extensions?.code;

  it('refuses one write alone, replays duplicates within a burst, keeps every member in order', async () => {
    const ids = await members(12);
    const full = ids[0];
    await credit(full, MAX_POINTS - 5);
    const keys = Array.from({ length: 6 }, () => randomUUID());
    const calls: { key?: string; promise: Promise<EntryRow> }[] = [];
    for (let round = 0; round < 4; round += 1) {
      for (const id of ids.slice(1)) calls.push({ promise: credit(id, 1 + round) });
      keys.forEach((key, i) => calls.push({ key, promise: credit(ids[1 + i], 7, key) }));
    }
    const overflow = credit(full, 10);
    const fits = credit(full, 5);
    const settled = await Promise.allSettled(calls.map((c) => c.promise));
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    await expect(overflow).rejects.toMatchObject({ extensions: { code: ErrorCode.BAD_USER_INPUT } });
    expect((await fits).balanceAfter).toBe(MAX_POINTS);

    // Each key wrote once: every attempt with it answers with the first entry.
    const byKey = new Map<string, Set<string>>();
    calls.forEach(({ key }, i) => {
      const s = settled[i];
      if (key && s.status === 'fulfilled') byKey.set(key, (byKey.get(key) ?? new Set()).add(s.value.id));
    });
    expect([...byKey.values()].map((entries) => entries.size)).toEqual(keys.map(() => 1));

    const entries = await running().runtime.transactor.read((m) =>
      m.count(EntryRow, { where: ids.map((memberId) => ({ memberId })) }),
    );
    // 2 for `full`, 4 rounds × 11 members, and one per idempotency key.
    expect(entries).toBe(2 + 4 * 11 + keys.length);
    expect((await running().app.queries.check()).problems).toEqual([]);
  });

  it('shares transactions: a burst of credits costs far fewer round trips than 8 per write', async () => {
    const ids = await members(16);
    await running().relay.flush();
    const { queries } = running().runtime.db;
    queries.reset();
    await Promise.all(Array.from({ length: 64 }, (_, i) => credit(ids[i % ids.length], 3)));
    await running().relay.flush();
    expect(queries.roundTrips / 64).toBeLessThan(3);
    expect((await running().app.queries.check()).problems).toEqual([]);
  });

  it('writes balances and sequences of existing accounts in one statement per batch on MySQL', async () => {
    const ids = await members(8);
    await Promise.all(ids.map((id) => credit(id, 1)));
    await running().relay.flush();
    const { queries } = running().runtime.db;
    queries.reset(true);
    await requestScope.run({}, () => Promise.all(ids.flatMap((id) => [credit(id, 2), credit(id, 3)])));
    const joined = queries.statements.filter((s) =>
      /^UPDATE `ledger_members` s JOIN `ledger_accounts` a .* JOIN \(SELECT/.test(s),
    );
    const upserts = queries.statements.filter((s) => /^INSERT INTO `ledger_(members|accounts)`/.test(s));
    if (process.env.MYSQL_URL) {
      expect(joined.length).toBeGreaterThan(0);
      expect(upserts).toEqual([]);
    } else {
      expect(joined).toEqual([]);
    }
    const accounts = await running().app.queries.accounts(ids);
    for (const rows of accounts) expect(rows.find((r) => r.kind === 'REGULAR')!.balance).toBe(6);
    expect((await running().app.queries.check()).problems).toEqual([]);
  });

  it('mixes credits with holds on the same members: holds see the credits batched before them', async () => {
    const ids = await members(4);
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 8; i += 1) {
      for (const id of ids) {
        work.push(credit(id, 10));
        work.push(hold(id, 10).catch((e: unknown) => expect(codeOf(e)).toBe(ErrorCode.INSUFFICIENT_POINTS)));
      }
    }
    await Promise.all(work);
    const accounts = await running().app.queries.accounts(ids);
    for (const rows of accounts) {
      const regular = rows.find((r) => r.kind === 'REGULAR')!;
      expect(regular.balance).toBeGreaterThanOrEqual(0);
    }
    expect((await running().app.queries.check()).problems).toEqual([]);
  });
});
