import { Arg, Ctx, Directive, ID, Query, Resolver } from 'type-graphql';
import type { ReferralsContext } from '../context';
import { referralsPolicy } from '../policy';

@Resolver()
export class ReferralCodeResolver {
  @Directive('@inaccessible')
  @Query(() => ID, {
    nullable: true,
    description:
      'Internal (services): the inviter behind a code, or null. Members asks it before a sign-up with a code.',
  })
  referralCodeOwner(@Arg('code') code: string, @Ctx() ctx: ReferralsContext): Promise<string | null> {
    referralsPolicy.lookUpCodeOwner(ctx.principal);
    return ctx.app.codes.ownerOf(code);
  }
}
