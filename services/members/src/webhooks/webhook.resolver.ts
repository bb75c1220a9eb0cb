import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '@loyalty/platform';
import type { MembersContext } from '../context';
import type { MerchantRow } from '../merchants/merchant.entity';
import { Merchant } from '../merchants/merchant.type';
import { actorOf, authorizeMerchantIntegration } from '../policy';
import type { WebhookDeliveryRow } from './webhook-delivery.entity';
import type { WebhookEndpointRow } from './webhook-endpoint.entity';
import { CreatedWebhookEndpoint, WebhookDelivery, WebhookEndpoint } from './webhook.type';

/** The delivery log's view of a row: no next attempt unless one is due. */
function deliveryView(row: WebhookDeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpointId,
    eventType: row.eventType,
    payload: row.body,
    status: row.status as WebhookDelivery['status'],
    attempts: row.attempts,
    createdAt: row.createdAt,
    lastAttemptAt: row.lastAttemptAt,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    nextAttemptAt: row.status === 'PENDING' ? row.nextAttemptAt : null,
    deliveredAt: row.deliveredAt,
  };
}

@Resolver(() => WebhookEndpoint)
export class WebhookResolver {
  @Authorized('partner', 'admin')
  @Query(() => [WebhookEndpoint], { description: 'Operator, or a partner for its own merchant.' })
  async webhookEndpoints(
    @Arg('merchantId', () => ID) merchantId: string,
    @Ctx() ctx: MembersContext,
  ): Promise<WebhookEndpointRow[]> {
    authorizeMerchantIntegration(ctx.principal, merchantId);
    return ctx.app.webhooks.endpoints(merchantId);
  }

  @Authorized('partner', 'admin')
  @Mutation(() => CreatedWebhookEndpoint, {
    description:
      'Operator, or a partner for its own merchant. Messages follow Standard Webhooks, signed with the secret.',
  })
  async createWebhookEndpoint(
    @Arg('merchantId', () => ID) merchantId: string,
    @Arg('url') url: string,
    @Arg('events', () => [String]) events: string[],
    @Ctx() ctx: MembersContext,
  ): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
    const principal = authorizeMerchantIntegration(ctx.principal, merchantId);
    const endpoint = await ctx.app.webhooks.createEndpoint(merchantId, url, events, actorOf(principal));
    return { endpoint, secret: endpoint.secret };
  }

  @Authorized('partner', 'admin')
  @Mutation(() => WebhookEndpoint, { description: 'Stops deliveries to it; queued messages are cancelled.' })
  async deleteWebhookEndpoint(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: MembersContext,
  ): Promise<WebhookEndpointRow> {
    const endpoint = await this.ownEndpoint(id, ctx);
    return ctx.app.webhooks.deleteEndpoint(endpoint);
  }

  @Authorized('partner', 'admin')
  @Query(() => [WebhookDelivery], {
    description:
      "An endpoint's messages, newest first: attempts, status, last error (operator or its partner).",
  })
  async webhookDeliveries(
    @Arg('endpointId', () => ID) endpointId: string,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Ctx() ctx: MembersContext,
  ): Promise<WebhookDelivery[]> {
    await this.ownEndpoint(endpointId, ctx);
    return (await ctx.app.webhooks.deliveries(endpointId, first)).map(deliveryView);
  }

  @Authorized('partner', 'admin')
  @Mutation(() => WebhookDelivery, {
    description: 'Sends a message again now, with the same webhook-id (operator or its partner).',
  })
  async redeliverWebhook(
    @Arg('deliveryId', () => ID) deliveryId: string,
    @Ctx() ctx: MembersContext,
  ): Promise<WebhookDelivery> {
    const delivery = await ctx.app.webhooks.delivery(deliveryId);
    if (!delivery) throw new NotFoundError('Webhook message', deliveryId);
    authorizeMerchantIntegration(ctx.principal, delivery.merchantId);
    return deliveryView(await ctx.app.webhooks.redeliver(delivery));
  }

  @FieldResolver(() => [String])
  events(@Root() endpoint: WebhookEndpointRow): string[] {
    return endpoint.events.split(',');
  }

  @FieldResolver(() => Merchant)
  async merchant(@Root() endpoint: WebhookEndpointRow, @Ctx() ctx: MembersContext): Promise<MerchantRow> {
    const merchant = await ctx.loaders.merchant.load(endpoint.merchantId);
    if (!merchant) throw new NotFoundError('Merchant', endpoint.merchantId);
    return merchant;
  }

  /** A live endpoint the caller may manage: NOT_FOUND, then FORBIDDEN for another merchant's. */
  private async ownEndpoint(id: string, ctx: MembersContext): Promise<WebhookEndpointRow> {
    const endpoint = await ctx.app.webhooks.endpoint(id);
    if (!endpoint) throw new NotFoundError('Webhook endpoint', id);
    authorizeMerchantIntegration(ctx.principal, endpoint.merchantId);
    return endpoint;
  }
}
