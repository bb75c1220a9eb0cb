import type { MembersContext } from '../context';
import type { MemberRow } from './member.entity';

/** Other subgraphs' `Member` references, batched through the request's DataLoader. */
export function resolveMemberReference(ref: { id: string }, ctx: MembersContext): Promise<MemberRow | null> {
  return ctx.loaders.member.load(String(ref.id));
}
