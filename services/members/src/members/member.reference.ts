import type { MembersContext } from '../context';
import { authorizeMemberReference } from '../policy';
import type { MemberRow } from './member.entity';

/** Other subgraphs' `Member` references, batched through the request's DataLoader. */
export function resolveMemberReference(ref: { id: string }, ctx: MembersContext): Promise<MemberRow | null> {
  authorizeMemberReference(ctx.principal);
  return ctx.loaders.member.load(String(ref.id));
}
