import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '@loyalty/platform';
import type { MembersContext } from '../context';
import type { MemberRow } from '../members/member.entity';
import { Member } from '../members/member.type';
import { Session } from './session.type';

/** Refresh and sign-out: the refresh token is the credential, so anyone holding one may call. */
@Resolver(() => Session)
export class SessionResolver {
  @Mutation(() => Session)
  async refreshSession(
    @Arg('refreshToken') refreshToken: string,
    @Ctx() ctx: MembersContext,
  ): Promise<Session> {
    const grant = await ctx.app.sessions.refresh(refreshToken);
    ctx.memberGrants.set(grant.memberId, grant.accessToken);
    return grant;
  }

  @Mutation(() => Boolean)
  signOut(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: MembersContext): Promise<boolean> {
    return ctx.app.sessions.signOut(refreshToken);
  }

  @FieldResolver(() => Member)
  async member(@Root() session: Session, @Ctx() ctx: MembersContext): Promise<MemberRow> {
    const member = await ctx.loaders.member.load(session.memberId);
    if (!member) throw new NotFoundError('Member', session.memberId);
    return member;
  }
}
