import { Topics, type Sql, type Transactor } from '@loyalty/platform';
import { EntryType } from '../entries/entry.entity';
import { EXPIRED_DESCRIPTION } from '../ledger/posting';
import * as q from './expiry.sql';

/**
 * Writes off due lots, set-based in SQL: a batch of members per transaction (claimed with
 * `FOR UPDATE SKIP LOCKED` on MySQL, so replicas split the work and a member busy with a write
 * waits for the next round), then one statement per step whatever the number of lots: the
 * write-offs staged in a temporary table by window functions (sequence and running balance),
 * then from it the EXPIRE entries, their lot moves, their `balance.changed` outbox rows, the
 * balances, the sequences and the lots. All or nothing per batch: a sweep interrupted anywhere
 * leaves each batch either written off or untouched, and the next sweep only finds lots with
 * points left, so no lot is ever written off twice.
 */
export class ExpiryService {
  constructor(
    private readonly transactor: Transactor,
    /** Members whose due lots one transaction writes off. */
    private readonly memberBatch = 1000,
  ) {}

  /** Writes off every lot due at `now`, a batch of members per transaction. */
  async expireDue(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const { claimed, expired } = await this.expireBatch(now);
      total += expired;
      if (claimed === 0) return total;
    }
  }

  private async expireBatch(now: Date): Promise<{ claimed: number; expired: number }> {
    // READ COMMITTED: the INSERT … SELECTs then take no shared locks on the lots they read (the
    // claimed members' rows are locked already, and no one else writes their lots).
    return this.transactor.run(
      async (uow) => {
        const { sql } = uow;
        const mysql = sql.kind === 'mysql';
        const candidates = await sql.rows<{ memberId: string }>(q.candidates(this.memberBatch, mysql), [now]);
        if (candidates.length === 0) return { claimed: 0, expired: 0 };
        const claimed = await sql.rows<{ memberId: string }>(
          q.claim(candidates.length, mysql),
          candidates.map((c) => c.memberId),
          { oneOff: true },
        );
        if (claimed.length === 0) return { claimed: 0, expired: 0 };
        const members = claimed.map((c) => c.memberId);
        const expired = await this.writeOff(sql, members, now);
        if (expired > 0) uow.afterCommit(() => this.transactor.eventsCommitted());
        return { claimed: members.length, expired };
      },
      { isolation: 'READ COMMITTED' },
    );
  }

  private async writeOff(sql: Sql, members: string[], now: Date): Promise<number> {
    const mysql = sql.kind === 'mysql';
    const oneOff = { oneOff: true };
    await sql.run(q.dropStage(mysql), [], oneOff);
    await sql.run(q.stage(members.length, mysql), [...members, now], oneOff);
    const [{ n: staged, below }] = await sql.rows<{ n: number; below: number }>(q.STAGED, [], oneOff);
    if (Number(below) > 0)
      throw new Error('expiring lots would take a balance below zero: ledger inconsistent');
    let entries = 0;
    if (Number(staged) > 0) {
      entries = await sql.run(q.INSERT_ENTRIES, [EntryType.EXPIRE, EXPIRED_DESCRIPTION, now], oneOff);
      await sql.run(q.INSERT_MOVES, [EntryType.EXPIRE, now], oneOff);
      const event = [Topics.balanceChanged, EntryType.EXPIRE, now.toISOString(), now];
      await sql.run(q.insertEvents(mysql), event, oneOff);
      await sql.run(q.updateAccounts(mysql), [now], oneOff);
      await sql.run(q.updateSequences(mysql), [], oneOff);
      const lots = await sql.run(q.updateLots(mysql), [], oneOff);
      if (lots !== entries) throw new Error(`expiry batch changed ${lots} lots for ${entries} entries`);
    }
    await sql.run(q.dropStage(mysql), [], oneOff);
    return entries;
  }
}
