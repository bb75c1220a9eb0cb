import type { MemberRef } from './member.type';

/** Members are owned by the members subgraph; here a reference is just its id. */
export function resolveMemberReference(ref: { id: string }): MemberRef {
  return { id: String(ref.id) };
}
