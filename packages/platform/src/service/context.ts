import type { Principal } from '../auth/principal';
import type { Logger } from 'pino';

/** What every resolver gets; services extend it with their application object and loaders. */
export interface BaseContext {
  principal: Principal | null;
  requestId: string;
  logger: Logger;
  /** The caller's `Accept-Language` header, for text in the member's language. */
  acceptLanguage?: string;
}
