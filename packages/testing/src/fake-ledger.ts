import {
  ConflictError,
  InsufficientPointsError,
  NotFoundError,
  PointKind,
  ServiceUnavailableError,
} from '@loyalty/platform';

/** The states of a ledger hold, as the internal API reports them (RESTORED: captured, then given back). */
export type HoldStatus = 'HELD' | 'CAPTURED' | 'RELEASED' | 'EXPIRED' | 'RESTORED';

/** A hold as `ledgerHold` answers it. */
export interface PointHold {
  id: string;
  status: HoldStatus;
  points: number;
}

/** What the catalog asks `ledgerHold` for. */
export interface HoldInput {
  memberId: string;
  kind: PointKind;
  points: number;
  idempotencyKey: string;
  reason: string;
  ttlSeconds: number;
  merchantId: string | null;
}

/** What the catalog asks `ledgerCredit` for when it compensates a member. */
export interface CompensateInput {
  memberId: string;
  kind: PointKind;
  points: number;
  idempotencyKey: string;
  reason: string;
  merchantId: string | null;
  sourceId: string;
}

export interface FakeEntry {
  memberId: string;
  kind: string;
  type: 'EARN' | 'HOLD' | 'RELEASE' | 'REDEEM' | 'RESTORE' | 'COMPENSATE';
  points: number;
  reason: string;
}

interface Hold {
  id: string;
  memberId: string;
  kind: string;
  points: number;
  status: HoldStatus;
}

const tick = () => new Promise((r) => setImmediate(r));

/** A call's parameters apart from its key, independent of property order (as the ledger compares them). */
function fingerprint({ idempotencyKey: _key, ...params }: { idempotencyKey: string }): string {
  return JSON.stringify(Object.entries(params).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * An in-memory ledger with the internal API's semantics (docs/internal-api.md): holds that are
 * resolved at most once, idempotency keys whose replay returns the first result (a key reused
 * with other parameters is a CONFLICT), no overdraft. {@link ledgerContract} checks these against
 * the real ledger too. Every call yields to the event loop first, so concurrent sagas interleave.
 */
export class FakeLedger {
  private readonly balances = new Map<string, number>();
  private readonly holds = new Map<string, Hold>();
  private readonly results = new Map<string, { params: string; holdId?: string }>();
  readonly entries: FakeEntry[] = [];
  /** Simulates an outage: every call fails as the ServiceClient reports one. */
  down = false;
  /**
   * Fault injection per call: 'before' fails without effect, 'after' applies the effect and then
   * fails as if the response were lost (the caller cannot tell which happened).
   */
  chaos: (() => 'before' | 'after' | null) | null = null;
  calls = 0;
  private seq = 0;

  credit(memberId: string, points: number, kind: string = PointKind.REGULAR): void {
    this.move(memberId, kind, points, 'EARN', 'test credit');
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
    const params = fingerprint(input);
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

  async compensate(input: CompensateInput): Promise<void> {
    await this.enter();
    const params = fingerprint(input);
    if (this.replay(input.idempotencyKey, params)) return this.leave(undefined);
    this.move(input.memberId, input.kind, input.points, 'COMPENSATE', input.reason);
    this.results.set(input.idempotencyKey, { params });
    this.leave(undefined);
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
  ): void {
    const key = `${memberId}/${kind}`;
    this.balances.set(key, (this.balances.get(key) ?? 0) + points);
    this.entries.push({ memberId, kind, type, points, reason });
  }
}
