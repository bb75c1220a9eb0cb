import type { MemberRef } from './member.type';

/** `Member` is the members subgraph's; here it only carries `purchases`. */
export function resolveMemberReference(ref: { id: string }): MemberRef {
  return { id: String(ref.id) };
}
