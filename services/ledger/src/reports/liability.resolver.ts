import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { PointKind } from '@loyalty/platform';
import type { LedgerContext } from '../context';
import { assertKind, assertOptionalId } from '../ledger/ledger.rules';
import { LedgerRoles, liabilityScope } from '../policy';
import { assertPeriod } from './liability.rules';
import { PointsLiability } from './liability.type';

/** Reports for the operator and partners. */
@Resolver()
export class LiabilityResolver {
  @Authorized(...LedgerRoles.liability)
  @Query(() => PointsLiability, {
    description:
      'Operator: any merchant, or the whole programme when merchantId is omitted.\nPartner: its own merchant only.',
  })
  async pointsLiability(
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Arg('kind', () => PointKind, { nullable: true, defaultValue: PointKind.REGULAR }) kind: PointKind,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Ctx() ctx: LedgerContext,
  ): Promise<PointsLiability> {
    const scope = liabilityScope(ctx.principal, assertOptionalId(merchantId, 'merchantId'));
    const k = assertKind(kind ?? PointKind.REGULAR);
    const period = assertPeriod(from, to);
    const figures = await ctx.app.liability.liability({ merchantId: scope, kind: k, ...period });
    return { merchant: scope ? { id: scope } : null, kind: k, ...period, ...figures };
  }
}
