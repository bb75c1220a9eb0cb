import { parse } from 'cache-control-parser';
import { LRUCache } from 'lru-cache';

/** Bounds of a subgraph's {@link PublicAnswers}. */
export interface PublicAnswersOptions {
  /** Answers kept per subgraph (least recently used dropped first; default 500); 0 keeps none. */
  maxEntries?: number;
  /** Characters kept per subgraph, all answers together (default 8 Mi). */
  maxChars?: number;
  /** Longest an answer is kept, whatever the subgraph allows, in seconds (default 60). */
  maxAgeCeilingSeconds?: number;
  /** The clock (tests): milliseconds, as `performance.now()`. */
  now?: () => number;
}

/** Answers larger than this are not kept: a listing is a few kilobytes, an export is not a listing. */
const MAX_ANSWER_CHARS = 256 * 1024;

/**
 * The seconds a subgraph's `Cache-Control` lets any caller reuse its answer for: Apollo Server's
 * cache-control plugin writes `max-age=N, public` when every resolved field allowed it (a shared
 * cache's `s-maxage` wins over `max-age`). Anything else (`private`, `no-store`, `no-cache`, no
 * header, a zero age) is not reusable across callers.
 */
export function publicMaxAge(cacheControl: string | undefined): number {
  if (!cacheControl) return 0;
  const policy = parse(cacheControl);
  if (!policy.public || policy.private || policy['no-store'] || policy['no-cache']) return 0;
  return policy['s-maxage'] ?? policy['max-age'] ?? 0;
}

/**
 * One subgraph's answers that it declared public (the same for every caller) for a while: an
 * identical query from any caller within that time is answered from here without a fetch. Keyed by
 * the request body and language, never the caller. Any mutation this gateway sends the subgraph
 * drops them all, and an answer whose fetch began before such a mutation is not kept, so a caller
 * reads its own writes; changes made elsewhere show after at most the subgraph's `max-age`.
 */
export class PublicAnswers {
  private readonly answers: LRUCache<string, string> | null;
  private generation = 0;
  private readonly ceilingMs: number;

  constructor(o: PublicAnswersOptions = {}) {
    const maxEntries = o.maxEntries ?? 500;
    this.ceilingMs = (o.maxAgeCeilingSeconds ?? 60) * 1000;
    this.answers =
      maxEntries > 0 && this.ceilingMs > 0
        ? new LRUCache<string, string>({
            max: maxEntries,
            maxSize: o.maxChars ?? 8 * 1024 * 1024,
            sizeCalculation: (text) => Math.max(1, text.length),
            ttl: this.ceilingMs,
            // Read the clock on every look-up rather than a value cached for a millisecond.
            ttlResolution: 0,
            ...(o.now ? { perf: { now: o.now } } : {}),
          })
        : null;
  }

  /** A logical time to pass to {@link keep}, read before the fetch is sent. */
  clock(): number {
    return this.generation;
  }

  /** The kept answer to `key`, if still fresh. */
  get(key: string): string | undefined {
    return this.answers?.get(key);
  }

  /** Keeps `text` for what `cacheControl` allows, unless a mutation was sent since `since`. */
  keep(key: string, text: string, cacheControl: string | undefined, since: number): void {
    if (!this.answers || since !== this.generation || text.length > MAX_ANSWER_CHARS) return;
    const seconds = publicMaxAge(cacheControl);
    if (seconds <= 0) return;
    this.answers.set(key, text, { ttl: Math.min(seconds * 1000, this.ceilingMs) });
  }

  /** A mutation is being sent to the subgraph: what it answered before may be stale. */
  drop(): void {
    this.generation++;
    this.answers?.clear();
  }
}
