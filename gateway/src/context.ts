import type { Principal } from '@loyalty/platform';

/** Per-request gateway context. */
export interface GatewayContext {
  /** The caller's raw header, forwarded to subgraphs. */
  authorization?: string;
  /** Verified here too, so a bad token fails fast with UNAUTHENTICATED. */
  principal: Principal | null;
  requestId: string;
  /** The caller's `Accept-Language`, forwarded so subgraphs word member-facing text in it. */
  acceptLanguage?: string;
}
