import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { BadInputError } from '@loyalty/platform';
import type { LedgerContext } from '../context';
import { Member } from '../accounts/member.type';
import { assertCanReadPrivate } from '../policy';
import { GreenImpactReport } from './green-impact.type';

/** `Member.greenImpact`: the member for themself, or the operator. */
@Resolver(() => Member)
export class GreenImpactResolver {
  @FieldResolver(() => GreenImpactReport, {
    description:
      'Green consumption in [from, to) (either end open when omitted): GREEN points earned (net of refunds) and redeemed, spend per green category and the CO2e it avoided (GREEN_CO2E_FACTORS).',
  })
  async greenImpact(
    @Root() member: Member,
    @Arg('from', () => Date, { nullable: true }) from: Date | null,
    @Arg('to', () => Date, { nullable: true }) to: Date | null,
    @Ctx() ctx: LedgerContext,
  ): Promise<GreenImpactReport> {
    assertCanReadPrivate(ctx.principal, member.id);
    if (from && to && from.getTime() > to.getTime())
      throw new BadInputError('from must not be after to', 'from');
    return ctx.app.greenImpact.report(member.id, from ?? null, to ?? null);
  }
}
