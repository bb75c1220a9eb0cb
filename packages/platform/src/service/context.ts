import type { Principal } from '../auth/principal';
import type { Logger } from 'pino';

/** What every resolver gets; services extend it with their application object and loaders. */
export interface BaseContext {
  principal: Principal | null;
  /** Sent by the gateway (which vouches with its own service token) or by another service. */
  internal: boolean;
  requestId: string;
  logger: Logger;
}
