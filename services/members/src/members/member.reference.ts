import { requireAuthenticated } from '@loyalty/platform';
import type { MembersContext } from '../context';
import type { MemberRow } from './member.entity';

/** Other subgraphs' `Member` references, batched through the request's DataLoader. */
export function resolveMemberReference(ref: { id: string }, ctx: MembersContext): Promise<MemberRow | null> {
  // No public field returns a Member to anonymous callers: a direct `_entities` call must not either.
  requireAuthenticated(ctx.principal);
  return ctx.loaders.member.load(String(ref.id));
}
