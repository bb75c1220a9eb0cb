import type { Principal } from '@loyalty/platform';

/** Per-request gateway context. */
export interface GatewayContext {
  /** The caller's raw header, forwarded to subgraphs. */
  authorization?: string;
  /** Verified here too, so a bad token fails fast with UNAUTHENTICATED. */
  principal: Principal | null;
  requestId: string;
  /** The caller's address, forwarded to subgraphs (`x-forwarded-for`) for per-client limits. */
  clientAddress?: string;
  /** Member tokens a subgraph minted for this operation's anonymous caller (`member-grants.ts`). */
  memberGrants?: Map<string, string>;
  /** The caller's `Accept-Language`, forwarded so subgraphs word member-facing text in it. */
  acceptLanguage?: string;
  /**
   * Resolving a live event: its subgraph fetches must read state at least as new as the event, so
   * they never join an identical fetch already in flight (which may have read before the event).
   */
  fresh?: boolean;
}
