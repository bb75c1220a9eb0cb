import {
  Arg,
  Authorized,
  Ctx,
  Directive,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { NotFoundError } from '@loyalty/platform';
import type { MembersContext } from '../context';
import type { MerchantRow } from '../merchants/merchant.entity';
import { actorOf, authorizeMerchantIntegration } from '../policy';
import type { PartnerApiKeyRow } from './api-key.entity';
import { Merchant } from '../merchants/merchant.type';
import { CreatedPartnerApiKey, PartnerApiKey, PartnerApiKeyPrincipal } from './api-key.type';

@Resolver(() => PartnerApiKey)
export class ApiKeyResolver {
  @Authorized('partner', 'admin')
  @Query(() => [PartnerApiKey], { description: 'Operator, or a partner for its own merchant.' })
  async partnerApiKeys(
    @Arg('merchantId', () => ID) merchantId: string,
    @Ctx() ctx: MembersContext,
  ): Promise<PartnerApiKeyRow[]> {
    authorizeMerchantIntegration(ctx.principal, merchantId);
    return ctx.app.apiKeys.list(merchantId);
  }

  @Authorized('partner', 'admin')
  @Mutation(() => CreatedPartnerApiKey, {
    description:
      'Operator, or a partner for its own merchant. Send the secret as `Authorization: Bearer <secret>`.',
  })
  async createPartnerApiKey(
    @Arg('merchantId', () => ID) merchantId: string,
    @Arg('name') name: string,
    @Ctx() ctx: MembersContext,
  ): Promise<{ key: PartnerApiKeyRow; secret: string }> {
    const principal = authorizeMerchantIntegration(ctx.principal, merchantId);
    const { row, secret } = await ctx.app.apiKeys.create(merchantId, name, actorOf(principal));
    return { key: row, secret };
  }

  @Authorized('partner', 'admin')
  @Mutation(() => PartnerApiKey, {
    description: 'Refused everywhere within seconds; revoking a revoked key changes nothing.',
  })
  async revokePartnerApiKey(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: MembersContext,
  ): Promise<PartnerApiKeyRow> {
    const key = await ctx.app.apiKeys.byId(id);
    if (!key) throw new NotFoundError('API key', id);
    authorizeMerchantIntegration(ctx.principal, key.merchantId);
    return ctx.app.apiKeys.revoke(key);
  }

  @Directive('@inaccessible')
  @Authorized('service')
  @Query(() => PartnerApiKeyPrincipal, {
    nullable: true,
    description: 'Internal: the live key with this secret hash (authentication on every subgraph).',
  })
  async partnerApiKeyPrincipal(
    @Arg('secretHash') secretHash: string,
    @Ctx() ctx: MembersContext,
  ): Promise<PartnerApiKeyPrincipal | null> {
    return ctx.app.apiKeys.lookup(secretHash);
  }

  @FieldResolver(() => Merchant)
  async merchant(@Root() key: PartnerApiKeyRow, @Ctx() ctx: MembersContext): Promise<MerchantRow> {
    const merchant = await ctx.loaders.merchant.load(key.merchantId);
    if (!merchant) throw new NotFoundError('Merchant', key.merchantId);
    return merchant;
  }
}
