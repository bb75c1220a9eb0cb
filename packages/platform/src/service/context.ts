import type { Principal } from '../auth/principal';
import type { Logger } from 'pino';

/** What every resolver gets; services extend it with their application object and loaders. */
export interface BaseContext {
  principal: Principal | null;
  /** Sent by the gateway (which vouches with its own service token) or by another service. */
  internal: boolean;
  requestId: string;
  logger: Logger;
  /**
   * The caller's network address, for per-client rate limits: what the gateway forwards in
   * `x-forwarded-for` (subgraphs sit behind it), else the socket's peer.
   */
  clientAddress?: string;
  /** The caller's `Accept-Language` header, for text in the member's language. */
  acceptLanguage?: string;
}
