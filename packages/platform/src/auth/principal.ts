/** Who is calling. `service` is another subgraph acting on its own authority. */
export type Role = 'member' | 'partner' | 'admin' | 'service';

export const ROLES: readonly Role[] = ['member', 'partner', 'admin', 'service'];

export interface Principal {
  role: Role;
  /** member id for members; merchant id for partners; a name for admins and services. */
  sub: string;
  /** Present for partners: the merchant they act for. */
  merchantId?: string;
  /** Present when a partner called with an API key: the key's id (rate limits, trails). */
  apiKeyId?: string;
}
