import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import {
  assertCanReadMember,
  decodeCursor,
  encodeCursor,
  isPrivileged,
  maskEmail,
  maskPhone,
  pageSize,
  requireRole,
  toConnection,
  type Principal,
} from '@loyalty/platform';
import type { MembersContext } from '../context';
import { MemberConnection } from './member.connection';
import type { MemberRow } from './member.entity';
import { RegisterMemberInput } from './member.input';
import { Member } from './member.type';

/** Contact data in full for the member themself and the operator; masked for everyone else. */
function contactFor(
  principal: Principal | null,
  member: MemberRow,
  value: string | null,
  mask: (v: string) => string,
) {
  if (value === null) return null;
  if (isPrivileged(principal) || (principal?.role === 'member' && principal.sub === member.id)) return value;
  return mask(value);
}

@Resolver(() => Member)
export class MemberResolver {
  @Query(() => Member, { nullable: true, description: 'The member behind a member token.' })
  async me(@Ctx() ctx: MembersContext): Promise<MemberRow | null> {
    const principal = requireRole(ctx.principal, 'member');
    return ctx.loaders.member.load(principal.sub);
  }

  @Query(() => Member, { nullable: true })
  async member(@Arg('id', () => ID) id: string, @Ctx() ctx: MembersContext): Promise<MemberRow | null> {
    assertCanReadMember(ctx.principal, id);
    return ctx.loaders.member.load(id);
  }

  @Authorized('admin')
  @Query(() => MemberConnection, { description: 'All members, for the operator console.' })
  async members(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: MembersContext,
  ) {
    const size = pageSize(first);
    const afterId = after ? decodeCursor<{ id: string }>(after, ['id']).id : null;
    const rows = await ctx.app.members.list(size, afterId);
    return toConnection(
      rows,
      size,
      (r) => encodeCursor({ id: r.id }),
      (r) => r,
    );
  }

  @Mutation(() => Member, {
    description: 'Sign-up (anonymous), in-store registration (partner) or by the operator.',
  })
  async registerMember(
    @Arg('input') input: RegisterMemberInput,
    @Ctx() ctx: MembersContext,
  ): Promise<MemberRow> {
    return ctx.app.members.register(input, ctx.principal);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Contact data; masked (e.g. 138****5678) for partners.',
  })
  phone(@Root() member: MemberRow, @Ctx() ctx: MembersContext): string | null {
    return contactFor(ctx.principal, member, member.phone, maskPhone);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Contact data; masked for partners.' })
  email(@Root() member: MemberRow, @Ctx() ctx: MembersContext): string | null {
    return contactFor(ctx.principal, member, member.email, maskEmail);
  }
}
