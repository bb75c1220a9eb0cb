import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { MembersContext } from '../context';
import type { MerchantRow } from './merchant.entity';
import { CreateMerchantInput } from './merchant.input';
import { Merchant } from './merchant.type';

@Resolver(() => Merchant)
export class MerchantResolver {
  @Query(() => Merchant, { nullable: true })
  async merchant(@Arg('id', () => ID) id: string, @Ctx() ctx: MembersContext): Promise<MerchantRow | null> {
    return ctx.loaders.merchant.load(id);
  }

  @Authorized('admin')
  @Mutation(() => Merchant)
  async createMerchant(
    @Arg('input') input: CreateMerchantInput,
    @Ctx() ctx: MembersContext,
  ): Promise<MerchantRow> {
    return ctx.app.merchants.create(input);
  }

  @Authorized('admin')
  @Mutation(() => String, {
    description: 'API credentials for a partner merchant: a partner token bound to it.',
  })
  async issuePartnerToken(
    @Arg('merchantId', () => ID) merchantId: string,
    @Arg('validDays', () => Int, { defaultValue: 30 }) validDays: number,
    @Ctx() ctx: MembersContext,
  ): Promise<string> {
    return ctx.app.merchants.issuePartnerToken(merchantId, validDays);
  }
}
