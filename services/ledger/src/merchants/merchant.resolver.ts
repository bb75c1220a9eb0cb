import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '@loyalty/platform';
import type { LedgerContext } from '../context';
import { Merchant } from './merchant.type';

@Resolver(() => Merchant)
export class MerchantNameResolver {
  /** The name read with the entries when there is one (the history joins it), else the copy. */
  @FieldResolver(() => String)
  async name(@Root() merchant: Merchant, @Ctx() ctx: LedgerContext): Promise<string> {
    if (merchant.name) return merchant.name;
    const name = await ctx.loaders.merchantName.load(merchant.id);
    if (name === null) throw new NotFoundError('Merchant', merchant.id);
    return name;
  }
}
