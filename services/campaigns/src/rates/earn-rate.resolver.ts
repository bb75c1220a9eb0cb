import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { CampaignsContext } from '../context';
import { SetEarnRateInput } from './earn-rate.input';
import { EarnRate } from './earn-rate.type';

@Resolver(() => EarnRate)
export class EarnRateResolver {
  @Query(() => EarnRate, { description: "A merchant's earn rates (public disclosure, R5)." })
  async merchantEarnRate(
    @Arg('merchantId', () => ID) merchantId: string,
    @Ctx() ctx: CampaignsContext,
  ): Promise<EarnRate> {
    return ctx.app.rates.get(merchantId);
  }

  @Authorized('admin')
  @Mutation(() => EarnRate, {
    description: "Sets a merchant's own earn rates; they apply to purchases recorded from now on.",
  })
  async setMerchantEarnRate(
    @Arg('input') input: SetEarnRateInput,
    @Ctx() ctx: CampaignsContext,
  ): Promise<EarnRate> {
    return ctx.app.rates.set(input);
  }
}
