import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { decodeCursor, encodeCursor, maskEmail, maskPhone, pageSize, toConnection } from '@loyalty/platform';
import type { MembersContext } from '../context';
import { authorizeMemberRead, registrationChannel, requireMemberSelf, seesContactOf } from '../policy';
import { MemberConnection } from './member.connection';
import type { MemberRow } from './member.entity';
import { RegisterMemberInput } from './member.input';
import { Member } from './member.type';

/** Contact data as the caller may see it (see {@link seesContactOf}). */
function contactFor(
  ctx: MembersContext,
  member: MemberRow,
  value: string | null,
  mask: (v: string) => string,
) {
  if (value === null) return null;
  return seesContactOf(ctx.principal, member.id, ctx.memberGrants) ? value : mask(value);
}

@Resolver(() => Member)
export class MemberResolver {
  @Query(() => Member, { nullable: true, description: 'The member behind a member token.' })
  async me(@Ctx() ctx: MembersContext): Promise<MemberRow | null> {
    const principal = requireMemberSelf(ctx.principal);
    return ctx.loaders.member.load(principal.sub);
  }

  @Query(() => Member, { nullable: true })
  async member(@Arg('id', () => ID) id: string, @Ctx() ctx: MembersContext): Promise<MemberRow | null> {
    authorizeMemberRead(ctx.principal, id);
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
    const member = await ctx.app.members.register(input, registrationChannel(ctx.principal));
    // An anonymous sign-up may select the new member's fields of other subgraphs in the same
    // operation: the gateway reads them with this grant (members README, "Sign-up").
    if (!ctx.principal) ctx.memberGrants.set(member.id, await ctx.app.sessions.signUpGrant(member.id));
    return member;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Contact data; masked (e.g. 138****5678) for partners.',
  })
  phone(@Root() member: MemberRow, @Ctx() ctx: MembersContext): string | null {
    return contactFor(ctx, member, member.phone, maskPhone);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Contact data; masked for partners.' })
  email(@Root() member: MemberRow, @Ctx() ctx: MembersContext): string | null {
    return contactFor(ctx, member, member.email, maskEmail);
  }
}
