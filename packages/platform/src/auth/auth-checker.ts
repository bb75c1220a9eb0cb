import type { AuthChecker } from 'type-graphql';
import type { Role } from './principal';
import { requireRole } from './access';
import type { BaseContext } from '../service/context';

/**
 * type-graphql's `@Authorized(...roles)`: anonymous callers get UNAUTHENTICATED, others without
 * the role FORBIDDEN (type-graphql's own errors carry no code, so we throw ours).
 */
export const authChecker: AuthChecker<BaseContext, Role> = ({ context }, roles) => {
  if (roles.length === 0) {
    requireRole(context.principal, 'member', 'partner', 'admin', 'service');
  } else {
    requireRole(context.principal, ...roles);
  }
  return true;
};
