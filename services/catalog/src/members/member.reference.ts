import type { MemberRef } from './member.type';

/** The catalog stores nothing about members: a reference is its id. */
export function resolveMemberReference(ref: { id: string }): MemberRef {
  return { id: String(ref.id) };
}
