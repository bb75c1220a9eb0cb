import {
  ConflictError,
  InsufficientPointsError,
  NotFoundError,
  PointKind,
  ServiceUnavailableError,
  requestHash,
} from '@loyalty/platform';
import type {
  CompensateInput,
  CreditInput,
  CreditResult,
  HoldInput,
  HoldStatus,
  PointHold,
  ReverseInput,
  ReverseResult,
} from './ledger-api';

export interface FakeEntry {
  memberId: string;
  kind: string;
  type: 'EARN' | 'HOLD' | 'RELEASE' | 'REDEEM' | 'RESTORE' | 'COMPENSATE' | 'REVERSE';
  points: number;
  reason: string;
  sourceType?: string;
  sourceId?: string;
}

interface Hold {
  id: string;
  memberId: string;
  kind: string;
  points: number;
  status: HoldStatus;
}

const tick = () => new Promise((r) => setImmediate(r));

/**
 * A call's fingerprint apart from its key, with the platform's canonical request hash (as the
 * ledger compares them): independent of property order, and of null versus absent optional
 * fields (the ledger applies its defaults to both).
 */
function fingerprint<T extends { idempotencyKey: string }>(
  operation: string,
  { idempotencyKey: _key, ...params }: T,
): string {
  return requestHash(operation, Object.fromEntries(Object.entries(params).filter(([, v]) => v !== null)));
}

/**
 * An in-memory ledger with the internal API's semantics (docs/internal-api.md): holds that are
 * resolved at most once, credits traced to their source and reversals capped at what the source
 * earned, idempotency keys whose replay returns the first result (a key reused with other
 * parameters is a CONFLICT), no overdraft. {@link ledgerContract} and {@link creditContract} check
 * these against the real ledger too; {@link serveFakeLedger} puts it behind HTTP. Every call
 * yields to the event loop first, so concurrent sagas interleave.
 */
export class FakeLedger {
  private readonly balances = new Map<string, number>();
  private readonly holds = new Map<string, Hold>();
  private readonly results = new Map<
    string,
    { params: string; holdId?: string; credit?: CreditResult; reversal?: ReverseResult }
  >();
  readonly entries: FakeEntry[] = [];
  /** Credits that took effect, by idempotency key (replays are not effects). */
  readonly credits = new Map<string, CreditInput>();
  /** Reversals that took effect, by idempotency key, with what each asked for. */
  readonly reversals = new Map<string, ReverseInput & { requested: number }>();
  /**
   * Keys of reversals that reached the ledger before anything was credited for their source: the
   * ledger answers them with nothing taken, but a caller that posts reversals only after their
   * credits never sends one.
   */
  readonly reversalsBeforeCredit: string[] = [];
  /** Simulates an outage: every call fails as the ServiceClient reports one. */
  down = false;
  /**
   * Fault injection per call: 'before' fails without effect, 'after' applies the effect and then
   * fails as if the response were lost (the caller cannot tell which happened).
   */
  chaos: (() => 'before' | 'after' | null) | null = null;
  calls = 0;
  private seq = 0;

  /** Seeds a member's balance at once, without a key (test setup, not a ledger call). */
  credit(memberId: string, points: number, kind?: string): void;
  /** `ledgerCredit`: an EARN (traced to its source) or a COMPENSATE, once per key. */
  credit(input: CreditInput): Promise<CreditResult>;
  credit(
    target: string | CreditInput,
    points = 0,
    kind: string = PointKind.REGULAR,
  ): void | Promise<CreditResult> {
    if (typeof target === 'string') return this.move(target, kind, points, 'EARN', 'test credit');
    return this.ledgerCredit(target);
  }

  /**
   * `ledgerReverse` in points: takes back what the source EARNed, never more than it earned
   * (earlier reversals of the source count), never below zero; what is already spent is the
   * shortfall. The fake keeps no lots, so "still there" is the member's balance.
   */
  async reverse(input: ReverseInput): Promise<ReverseResult> {
    await this.enter();
    // A key is one operation's: the same key for another operation is a CONFLICT too.
    const params = fingerprint('reverse', input);
    const first = this.replay(input.idempotencyKey, params);
    if (first) return this.leave(first.reversal!);
    const ofSource = (e: {
      memberId: string;
      kind: string;
      sourceType?: string | null;
      sourceId?: string | null;
    }) =>
      e.memberId === input.memberId &&
      e.kind === input.kind &&
      e.sourceType === input.sourceType &&
      e.sourceId === input.sourceId;
    const earned = this.entries
      .filter((e) => e.type === 'EARN' && ofSource(e))
      .reduce((n, e) => n + e.points, 0);
    if (earned === 0) this.reversalsBeforeCredit.push(input.idempotencyKey);
    const asked = [...this.reversals.values()].filter(ofSource).reduce((n, r) => n + r.requested, 0);
    const requested = Math.max(0, Math.min(input.points, earned - asked));
    const reversed = Math.max(0, Math.min(requested, this.balance(input.memberId, input.kind)));
    if (reversed > 0)
      this.move(
        input.memberId,
        input.kind,
        -reversed,
        'REVERSE',
        input.reason,
        input.sourceType,
        input.sourceId,
      );
    const reversal: ReverseResult = {
      entryId: reversed > 0 ? `entry-${this.entries.length}` : null,
      requested,
      reversed,
      shortfall: requested - reversed,
    };
    this.reversals.set(input.idempotencyKey, { ...input, requested });
    this.results.set(input.idempotencyKey, { params, reversal });
    return this.leave(reversal);
  }

  balance(memberId: string, kind: string = PointKind.REGULAR): number {
    return this.balances.get(`${memberId}/${kind}`) ?? 0;
  }

  /** Points still held (neither captured nor released) for a member, or for everyone. */
  held(memberId?: string): number {
    return [...this.holds.values()]
      .filter((h) => h.status === 'HELD' && (!memberId || h.memberId === memberId))
      .reduce((s, h) => s + h.points, 0);
  }

  historyOf(memberId: string): FakeEntry[] {
    return this.entries.filter((e) => e.memberId === memberId);
  }

  async hold(input: HoldInput): Promise<PointHold> {
    await this.enter();
    const params = fingerprint('hold', input);
    const first = this.replay(input.idempotencyKey, params);
    if (first) return this.leave(this.view(this.holds.get(first.holdId!)!));
    if (this.balance(input.memberId, input.kind) < input.points) throw new InsufficientPointsError();
    const hold: Hold = {
      id: `hold-${++this.seq}`,
      memberId: input.memberId,
      kind: input.kind,
      points: input.points,
      status: 'HELD',
    };
    this.holds.set(hold.id, hold);
    this.move(input.memberId, input.kind, -input.points, 'HOLD', input.reason);
    this.results.set(input.idempotencyKey, { params, holdId: hold.id });
    return this.leave(this.view(hold));
  }

  async capture(holdId: string, key: string): Promise<void> {
    await this.enter();
    if (this.replay(key, holdId)) return this.leave(undefined);
    const hold = this.find(holdId);
    if (hold.status !== 'HELD') throw new ConflictError(`Hold ${holdId} is already ${hold.status}`);
    hold.status = 'CAPTURED';
    this.move(hold.memberId, hold.kind, hold.points, 'RELEASE', 'captured');
    this.move(hold.memberId, hold.kind, -hold.points, 'REDEEM', 'redeemed');
    this.results.set(key, { params: holdId });
    this.leave(undefined);
  }

  async release(holdId: string, key: string, reason: string): Promise<void> {
    await this.enter();
    const params = JSON.stringify([holdId, reason]);
    if (this.replay(key, params)) return this.leave(undefined);
    const hold = this.find(holdId);
    if (hold.status !== 'HELD') throw new ConflictError(`Hold ${holdId} is already ${hold.status}`);
    hold.status = 'RELEASED';
    this.move(hold.memberId, hold.kind, hold.points, 'RELEASE', reason);
    this.results.set(key, { params });
    this.leave(undefined);
  }

  async restore(holdId: string, key: string, reason: string): Promise<void> {
    await this.enter();
    const params = JSON.stringify([holdId, reason]);
    if (this.replay(key, params)) return this.leave(undefined);
    const hold = this.find(holdId);
    if (hold.status !== 'CAPTURED') throw new ConflictError(`Hold ${holdId} is ${hold.status}, not CAPTURED`);
    hold.status = 'RESTORED';
    this.move(hold.memberId, hold.kind, hold.points, 'RESTORE', reason);
    this.results.set(key, { params });
    this.leave(undefined);
  }

  /** `ledgerCredit` of type COMPENSATE, as the catalog calls it. */
  async compensate(input: CompensateInput): Promise<void> {
    await this.ledgerCredit({ ...input, type: 'COMPENSATE' });
  }

  private async ledgerCredit(input: CreditInput): Promise<CreditResult> {
    await this.enter();
    const params = fingerprint('credit', { ...input, type: input.type ?? 'EARN' });
    const first = this.replay(input.idempotencyKey, params);
    if (first) return this.leave(first.credit!);
    const type = input.type ?? 'EARN';
    this.move(input.memberId, input.kind, input.points, type, input.reason, input.sourceType, input.sourceId);
    const credit: CreditResult = {
      entryId: `entry-${this.entries.length}`,
      points: input.points,
      expiresAt: null,
    };
    this.credits.set(input.idempotencyKey, input);
    this.results.set(input.idempotencyKey, { params, credit });
    return this.leave(credit);
  }

  /** The ledger's own timeout: an unresolved hold is released. */
  expire(holdId: string): void {
    const hold = this.find(holdId);
    if (hold.status !== 'HELD') return;
    hold.status = 'EXPIRED';
    this.move(hold.memberId, hold.kind, hold.points, 'RELEASE', 'hold expired');
  }

  holdsOf(memberId: string): PointHold[] {
    return [...this.holds.values()].filter((h) => h.memberId === memberId).map((h) => this.view(h));
  }

  private lostResponse = false;

  private async enter(): Promise<void> {
    this.calls += 1;
    await tick();
    if (this.down) throw new ServiceUnavailableError('The ledger service is unavailable; try again');
    const fault = this.chaos?.() ?? null;
    if (fault === 'before') throw new ServiceUnavailableError('The ledger service is unavailable; try again');
    this.lostResponse = fault === 'after';
  }

  /** Ends a call: with a lost response the effect stands but the caller sees an outage. */
  private leave<T>(value: T): T {
    if (this.lostResponse) {
      this.lostResponse = false;
      throw new ServiceUnavailableError('The ledger answered too late; try again');
    }
    return value;
  }

  private replay(key: string, params: string) {
    const first = this.results.get(key);
    if (first && first.params !== params)
      throw new ConflictError('idempotency key reused with different parameters');
    return first;
  }

  private find(holdId: string): Hold {
    const hold = this.holds.get(holdId);
    if (!hold) throw new NotFoundError('Hold', holdId);
    return hold;
  }

  private view(h: Hold): PointHold {
    return { id: h.id, status: h.status, points: h.points };
  }

  private move(
    memberId: string,
    kind: string,
    points: number,
    type: FakeEntry['type'],
    reason: string,
    sourceType?: string | null,
    sourceId?: string | null,
  ): void {
    const key = `${memberId}/${kind}`;
    this.balances.set(key, (this.balances.get(key) ?? 0) + points);
    this.entries.push({
      memberId,
      kind,
      type,
      points,
      reason,
      ...(sourceType && sourceId ? { sourceType, sourceId } : {}),
    });
  }
}
