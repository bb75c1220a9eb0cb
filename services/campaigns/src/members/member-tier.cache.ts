import { Topics, type EventTransport } from '@loyalty/platform';
import type { MemberFacts, MemberTierAnswer } from '../peers/members.client';

/** Members whose tier is kept at most (beyond, start over). */
const MAX_MEMBERS = 100_000;

/**
 * Members' tiers as the members service last answered them, so that a purchase does not ask it
 * every time (a GraphQL call and two statements there, per purchase). An answer is kept until
 * the earliest of: its `heldUntil` (the tier can fall with time alone, when spending leaves the
 * rolling window: members says when), a `member.tier_changed` or `member.erased` event for the
 * member (a purchase or refund moved the tier; every replica listens live), and the TTL, which
 * bounds a live event this replica missed. An answer asked before a change was heard is not
 * kept (generations), so an event never loses to a slower reply that predates it.
 */
export class MemberTierCache {
  private generation = 0;
  private readonly kept = new Map<string, { facts: MemberFacts; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The member's tier from memory, else from `ask` (kept unless a change was heard meanwhile). */
  async member(memberId: string, ask: () => Promise<MemberTierAnswer | null>): Promise<MemberFacts | null> {
    const hit = this.lookup(memberId);
    if (hit) return hit;
    const generation = this.generation;
    const answer = await ask();
    if (answer && generation === this.generation) this.keep(answer);
    return answer && { id: answer.id, tier: answer.tier };
  }

  /** A kept tier still valid now, if any. */
  lookup(memberId: string): MemberFacts | null {
    const kept = this.kept.get(memberId);
    if (!kept) return null;
    if (kept.until > this.now()) return kept.facts;
    this.kept.delete(memberId);
    return null;
  }

  /** Keeps an answer members gave (unless a change was heard since `generation`, see above). */
  private keep(answer: MemberTierAnswer): void {
    const until = Math.min(this.now() + this.ttlMs, answer.heldUntil?.getTime() ?? Infinity);
    if (this.kept.size >= MAX_MEMBERS) this.kept.clear();
    this.kept.set(answer.id, { facts: { id: answer.id, tier: answer.tier }, until });
  }

  /** Forgets a member's tier (it changed, or the member was erased). */
  forget(memberId: string): void {
    this.generation += 1;
    this.kept.delete(memberId);
  }

  /** Forgets on every tier change or erasure any members replica publishes. */
  async listen(transport: EventTransport): Promise<() => Promise<void>> {
    const stops = [
      await transport.listen(Topics.memberTierChanged, (e) => this.forget(e.payload.memberId)),
      await transport.listen(Topics.memberErased, (e) => this.forget(e.payload.memberId)),
    ];
    return async () => {
      for (const stop of stops) await stop();
    };
  }
}
