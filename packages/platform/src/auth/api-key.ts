import { createHash, randomBytes } from 'node:crypto';
import { UnauthenticatedError } from '../errors/errors';
import { Topics } from '../events/registry';
import type { EventTransport } from '../events/transport';
import type { Principal } from './principal';

/** Every partner API key secret starts with this, so it is recognisable in logs and scanners. */
export const API_KEY_PREFIX = 'lpk_';

/** How many characters of a secret are kept in the clear (`PartnerApiKey.prefix`). */
export const API_KEY_VISIBLE_CHARS = API_KEY_PREFIX.length + 8;

/** A new secret: the prefix and 32 random bytes (256 bits), base64url. */
export function newApiKeySecret(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * What is stored and looked up instead of the secret. A fast hash is enough: the secret has 256
 * random bits, so no dictionary or brute force applies (unlike passwords, which need a slow one).
 */
export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** True when a bearer credential has the shape of a partner API key (not a JWT). */
export function isApiKeySecret(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

/** What the owner of the keys (members) answers for a live key. */
export interface ApiKeyRecord {
  keyId: string;
  merchantId: string;
}

/** Finds the live (unrevoked) key with this secret hash; null when there is none. */
export type ApiKeyLookup = (secretHash: string) => Promise<ApiKeyRecord | null>;

export interface ApiKeyResolverOptions {
  /**
   * How long an answer is reused. It bounds how long a revoked key can still work when its
   * revocation event is lost; keep it well under the 5 s the contract allows.
   */
  ttlMs?: number;
  now?: () => number;
}

interface CacheEntry {
  record: ApiKeyRecord | null;
  until: number;
}

const MAX_ENTRIES = 50_000;

/**
 * Turns a partner API key secret into a partner principal. Answers are cached per secret hash
 * for a short TTL (so the owner is asked at most once per TTL per key and process), and a
 * revocation event evicts the key at once on every process that listens (see {@link listen}).
 */
export class ApiKeyResolver {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<ApiKeyRecord | null>>();
  /** Keys revoked while this process runs: an answer already in flight must not revive one. */
  private readonly revoked = new Set<string>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly lookup: ApiKeyLookup,
    options: ApiKeyResolverOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 3000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The partner a key's secret acts for. Null when the credential is not an API key (another
   * resolver or JWT verification takes it); UNAUTHENTICATED for an unknown or revoked key.
   */
  async resolve(secret: string): Promise<Principal | null> {
    if (!isApiKeySecret(secret)) return null;
    const hash = hashApiKeySecret(secret);
    const record = await this.recordFor(hash);
    if (!record || this.revoked.has(record.keyId)) {
      throw new UnauthenticatedError('Unknown or revoked API key');
    }
    return {
      role: 'partner',
      sub: `apikey:${record.keyId}`,
      merchantId: record.merchantId,
      apiKeyId: record.keyId,
    };
  }

  /** Forgets a revoked key at once (the revocation event's handler). */
  evict(keyId: string): void {
    if (this.revoked.size >= MAX_ENTRIES) this.revoked.clear();
    this.revoked.add(keyId);
    for (const [hash, entry] of this.cache) if (entry.record?.keyId === keyId) this.cache.delete(hash);
  }

  /** Listens for revocations on the event transport (every process sees every one). */
  listen(transport: EventTransport): Promise<() => Promise<void>> {
    return transport.listen(Topics.partnerApiKeyRevoked, (event) => this.evict(event.payload.keyId));
  }

  private async recordFor(hash: string): Promise<ApiKeyRecord | null> {
    const cached = this.cache.get(hash);
    if (cached && cached.until > this.now()) return cached.record;
    // Concurrent requests with one key share one lookup.
    let pending = this.inFlight.get(hash);
    if (!pending) {
      pending = this.lookup(hash).finally(() => this.inFlight.delete(hash));
      this.inFlight.set(hash, pending);
    }
    const record = await pending;
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(hash, { record, until: this.now() + this.ttlMs });
    return record;
  }
}
