import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { decodeCursor, encodeCursor, pageSize, toConnection } from '@loyalty/platform';
import type { MembersContext } from '../context';
import { MerchantConnection } from './merchant.connection';
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
  @Query(() => MerchantConnection, { description: 'Operator only, newest first.' })
  async merchants(
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: MembersContext,
  ) {
    const size = pageSize(first);
    const cursor = after ? decodeCursor<{ t: number; id: string }>(after, ['t', 'id']) : null;
    const rows = await ctx.app.merchants.list(size + 1, cursor);
    return toConnection(
      rows,
      size,
      (r) => encodeCursor({ t: r.createdAt.getTime(), id: r.id }),
      (r) => r,
    );
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
