import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { MembersContext } from '../context';
import { Session } from '../sessions/session.type';
import { clientKeyOf } from './client-key';
import { SignInChallenge } from './sign-in-challenge.type';

@Resolver()
export class SignInResolver {
  @Mutation(() => SignInChallenge, {
    description: "Anyone: starts a passwordless sign-in for a member's phone or email.",
  })
  requestSignInCode(
    @Arg('phone', () => String, { nullable: true }) phone: string | null,
    @Arg('email', () => String, { nullable: true }) email: string | null,
    @Ctx() ctx: MembersContext,
  ): Promise<SignInChallenge> {
    return ctx.app.signIn.requestCode(phone, email, clientKeyOf(ctx));
  }

  @Mutation(() => Session)
  async signIn(
    @Arg('challengeId', () => ID) challengeId: string,
    @Arg('code') code: string,
    @Ctx() ctx: MembersContext,
  ): Promise<Session> {
    const grant = await ctx.app.signIn.signIn(challengeId, code, clientKeyOf(ctx));
    // The rest of this operation (e.g. `member { balance }`) reads as the member just signed in.
    ctx.memberGrants.set(grant.memberId, grant.accessToken);
    return grant;
  }
}
