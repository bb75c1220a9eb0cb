import { Arg, Ctx, Directive, ID, Query, Resolver } from 'type-graphql';
import { requireRole } from '@loyalty/platform';
import type { ReferralsContext } from '../context';

@Resolver()
export class ReferralCodeResolver {
  @Directive('@inaccessible')
  @Query(() => ID, {
    nullable: true,
    description:
      'Internal (services): the inviter behind a code, or null. Members asks it before a sign-up with a code.',
  })
  referralCodeOwner(@Arg('code') code: string, @Ctx() ctx: ReferralsContext): Promise<string | null> {
    requireRole(ctx.principal, 'service', 'admin');
    return ctx.app.codes.ownerOf(code);
  }
}
