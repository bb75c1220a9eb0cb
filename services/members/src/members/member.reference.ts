import type { MembersContext } from '../context';
import type { MemberRow } from './member.entity';

/**
 * Other subgraphs' `Member` references, batched through the request's DataLoader; who may read
 * which member is `membersEntityPolicy`'s (applied to every reference).
 */
export function resolveMemberReference(ref: { id: string }, ctx: MembersContext): Promise<MemberRow | null> {
  return ctx.loaders.member.load(String(ref.id));
}
