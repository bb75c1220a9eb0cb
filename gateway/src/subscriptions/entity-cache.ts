import { Topics, type EventEnvelope, type Topic } from '@loyalty/platform';

/**
 * Which events change which cached entity fields: the entity (by a payload field) and the
 * subgraph whose fields change (null: all of them). An event that changes an entity's fields in a
 * subgraph drops what the gateway cached of them, so the next payload fetches them afresh.
 */
export const INVALIDATIONS: { topic: Topic; type: string; idFrom: string; graph: string | null }[] = [
  // Balances, history and expiry are the ledger's fields of the member.
  { topic: Topics.balanceChanged, type: 'Member', idFrom: 'memberId', graph: 'ledger' },
  { topic: Topics.pointsExpiring, type: 'Member', idFrom: 'memberId', graph: 'ledger' },
  // Erasure blanks the member's name and contact data everywhere.
  { topic: Topics.memberErased, type: 'Member', idFrom: 'memberId', graph: null },
  // Purchases and refunds move spend (the tier, in members) and the campaigns' fields.
  { topic: Topics.purchaseRecorded, type: 'Member', idFrom: 'memberId', graph: 'members' },
  { topic: Topics.purchaseRecorded, type: 'Member', idFrom: 'memberId', graph: 'campaigns' },
  { topic: Topics.purchaseRefunded, type: 'Member', idFrom: 'memberId', graph: 'members' },
  { topic: Topics.purchaseRefunded, type: 'Member', idFrom: 'memberId', graph: 'campaigns' },
  { topic: Topics.redemptionStatusChanged, type: 'Redemption', idFrom: 'redemptionId', graph: null },
  { topic: Topics.redemptionStatusChanged, type: 'Member', idFrom: 'memberId', graph: 'catalog' },
  { topic: Topics.referralRewarded, type: 'Referral', idFrom: 'referralId', graph: null },
  { topic: Topics.referralRewarded, type: 'Member', idFrom: 'inviterId', graph: 'referrals' },
  { topic: Topics.referralReversed, type: 'Referral', idFrom: 'referralId', graph: null },
  { topic: Topics.referralReversed, type: 'Member', idFrom: 'inviterId', graph: 'referrals' },
  // A rename changes the merchant's name (the ledger's copy of it follows the same event).
  { topic: Topics.merchantRenamed, type: 'Merchant', idFrom: 'merchantId', graph: null },
];

export interface EntityCacheOptions {
  /** Entities kept (least recently used dropped first). */
  maxEntities: number;
  /** Longest a cached field lives, for changes no event announces. */
  ttlMs: number;
}

interface Entry {
  at: number;
  /** part key (audience, subgraph, selection) → that subgraph's answer for the entity. */
  parts: Map<string, Record<string, unknown>>;
}

/**
 * Entity fields fetched for live payloads, per entity and per (audience, subgraph, selection),
 * bounded in size and age, invalidated by the events that change them.
 */
export class EntityCache {
  private readonly entries = new Map<string, Entry>();
  /** When each entity was last invalidated (by `clock`), so a fetch already in flight is not stored. */
  private readonly invalidated = new Map<string, number>();
  private tick = 0;
  readonly stats = { hits: 0, misses: 0, invalidations: 0 };

  constructor(private readonly o: EntityCacheOptions = { maxEntities: 50_000, ttlMs: 60_000 }) {}

  /** A logical time to pass to `set` from before the fetch started. */
  clock(): number {
    return this.tick;
  }

  get(type: string, id: string, part: string): Record<string, unknown> | undefined {
    const key = `${type}:${id}`;
    const entry = this.entries.get(key);
    const value = entry?.parts.get(part);
    if (!entry || !value || Date.now() - entry.at > this.o.ttlMs) {
      this.stats.misses++;
      return undefined;
    }
    // Most recently used last: Map iteration order is the eviction order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.stats.hits++;
    return value;
  }

  set(type: string, id: string, part: string, value: Record<string, unknown>, since: number): void {
    const key = `${type}:${id}`;
    if ((this.invalidated.get(key) ?? -1) > since) return;
    let entry = this.entries.get(key);
    if (!entry || Date.now() - entry.at > this.o.ttlMs) entry = { at: Date.now(), parts: new Map() };
    entry.parts.set(part, value);
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.o.maxEntities)
      this.entries.delete(this.entries.keys().next().value as string);
  }

  /** Drops an entity's cached fields of one subgraph (or all). */
  invalidate(type: string, id: string, graph: string | null): void {
    const key = `${type}:${id}`;
    this.stats.invalidations++;
    this.invalidated.delete(key);
    this.invalidated.set(key, ++this.tick);
    while (this.invalidated.size > this.o.maxEntities) {
      this.invalidated.delete(this.invalidated.keys().next().value as string);
    }
    const entry = this.entries.get(key);
    if (!entry) return;
    if (graph === null) {
      this.entries.delete(key);
      return;
    }
    for (const part of [...entry.parts.keys()])
      if (part.split('\u0000')[1] === graph) entry.parts.delete(part);
  }

  /** Applies an event's invalidations. */
  onEvent(event: EventEnvelope): void {
    const payload = event.payload as unknown as Record<string, unknown>;
    for (const rule of INVALIDATIONS) {
      if (rule.topic !== event.topic) continue;
      const id = payload[rule.idFrom];
      if (typeof id === 'string' || typeof id === 'number')
        this.invalidate(rule.type, String(id), rule.graph);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
