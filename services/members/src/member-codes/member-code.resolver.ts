import { Arg, Ctx, Directive, ID, Mutation, Resolver } from 'type-graphql';
import type { MembersContext } from '../context';
import { requireMemberCodeConsumer, requireMemberCodeHolder } from '../policy';
import { MemberCode } from './member-code.type';

@Resolver()
export class MemberCodeResolver {
  @Mutation(() => MemberCode, {
    description: "The member: a one-time consent code for a partner's till (valid 2 minutes, single use).",
  })
  issueMemberCode(@Ctx() ctx: MembersContext): Promise<MemberCode> {
    const member = requireMemberCodeHolder(ctx.principal);
    return ctx.app.memberCodes.issue(member.sub);
  }

  @Directive('@inaccessible')
  @Mutation(() => Boolean, {
    description:
      "Internal (services): consumes the member's unexpired, unused code for `usedFor` (the caller's " +
      'operation key; a replay of it is true again). False for any other code.',
  })
  consumeMemberCode(
    @Arg('code') code: string,
    @Arg('memberId', () => ID) memberId: string,
    @Arg('usedFor') usedFor: string,
    @Ctx() ctx: MembersContext,
  ): Promise<boolean> {
    requireMemberCodeConsumer(ctx.principal);
    return ctx.app.memberCodes.consume(code, memberId, usedFor);
  }

  @Directive('@inaccessible')
  @Mutation(() => Boolean, {
    description:
      'Internal (services): gives back a code that `usedFor` consumed when that operation was refused after ' +
      'all; true when given back.',
  })
  releaseMemberCode(
    @Arg('code') code: string,
    @Arg('memberId', () => ID) memberId: string,
    @Arg('usedFor') usedFor: string,
    @Ctx() ctx: MembersContext,
  ): Promise<boolean> {
    requireMemberCodeConsumer(ctx.principal);
    return ctx.app.memberCodes.release(code, memberId, usedFor);
  }
}
