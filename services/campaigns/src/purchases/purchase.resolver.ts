import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { decodeCursor, encodeCursor, pageSize, toConnection } from '@loyalty/platform';
import { Campaign } from '../campaigns/campaign.type';
import type { CampaignRow } from '../campaigns/campaign.entity';
import type { CampaignsContext } from '../context';
import { campaignsPolicy } from '../policy';
import { MemberRef, MerchantRef } from '../members/member.type';
import type { PurchaseRow } from './purchase.entity';
import { PurchaseInput, RefundInput } from './purchase.input';
import type { AwardView, PurchaseResultView, RefundResultView } from './purchase.queries';
import { PointAward, Purchase, PurchaseConnection, PurchaseResult, RefundResult } from './purchase.type';

/** Cursor over (recordedAt, id), newest first. */
export function purchasePage(rows: PurchaseRow[], first: number) {
  return toConnection(
    rows,
    first,
    (r) => encodeCursor({ t: r.recordedAt.getTime(), id: r.id }),
    (r) => r,
  );
}

export function afterCursor(after: string | null | undefined) {
  return after ? decodeCursor<{ t: number; id: string }>(after, ['t', 'id']) : null;
}

@Resolver(() => Purchase)
export class PurchaseResolver {
  @Mutation(() => PurchaseResult, {
    description: 'A partner reports a purchase (own merchant); idempotent by (merchantId, orderId).',
  })
  async recordPurchase(
    @Arg('input') input: PurchaseInput,
    @Ctx() ctx: CampaignsContext,
  ): Promise<PurchaseResultView> {
    campaignsPolicy.actForMerchant(ctx.principal, input.merchantId);
    return ctx.app.purchases.record(input);
  }

  @Mutation(() => RefundResult, { description: 'Full or partial refund; idempotent by refundId.' })
  async refundPurchase(
    @Arg('input') input: RefundInput,
    @Ctx() ctx: CampaignsContext,
  ): Promise<RefundResultView> {
    campaignsPolicy.actForMerchant(ctx.principal, input.merchantId);
    return ctx.app.refunds.refund(input);
  }

  @Query(() => [PointAward], { description: 'What a purchase would earn, without recording it.' })
  async previewPurchase(
    @Arg('input') input: PurchaseInput,
    @Ctx() ctx: CampaignsContext,
  ): Promise<AwardView[]> {
    campaignsPolicy.actForMerchant(ctx.principal, input.merchantId);
    return ctx.app.purchases.preview(input);
  }

  @Query(() => Purchase, {
    nullable: true,
    description: "A purchase by the merchant's order id (own merchant, or admin).",
  })
  async purchase(
    @Arg('merchantId', () => ID) merchantId: string,
    @Arg('orderId') orderId: string,
    @Ctx() ctx: CampaignsContext,
  ): Promise<PurchaseRow | null> {
    campaignsPolicy.actForMerchant(ctx.principal, merchantId);
    return ctx.app.purchaseQueries.findByOrder(merchantId, orderId);
  }

  @Query(() => PurchaseConnection, {
    description: "A merchant's purchases, newest first (partner: own merchant; admin: any or all).",
  })
  async purchases(
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: CampaignsContext,
  ) {
    const scope = campaignsPolicy.merchantPurchasesScope(ctx.principal, merchantId);
    const size = pageSize(first);
    return purchasePage(
      await ctx.app.purchaseQueries.list({ merchantId: scope }, size, afterCursor(after)),
      size,
    );
  }

  @FieldResolver(() => MerchantRef)
  merchant(@Root() row: PurchaseRow): MerchantRef {
    return { id: row.merchantId };
  }

  @FieldResolver(() => MemberRef)
  member(@Root() row: PurchaseRow): MemberRef {
    return { id: row.memberId };
  }

  @FieldResolver(() => [PointAward])
  async awards(@Root() row: PurchaseRow, @Ctx() ctx: CampaignsContext): Promise<AwardView[]> {
    return ctx.loaders.awards.load(row.id);
  }
}

@Resolver(() => PointAward)
export class PointAwardResolver {
  @FieldResolver(() => Campaign, { nullable: true })
  async campaign(@Root() award: AwardView, @Ctx() ctx: CampaignsContext): Promise<CampaignRow | null> {
    return award.campaignId ? ctx.loaders.campaign.load(award.campaignId) : null;
  }
}

@Resolver(() => MemberRef)
export class MemberPurchasesResolver {
  @FieldResolver(() => PurchaseConnection, {
    description:
      "The member's purchases, newest first: the member themself and the operator see all; a partner only its own.",
  })
  async purchases(
    @Root() member: MemberRef,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: CampaignsContext,
  ) {
    const merchantId = campaignsPolicy.memberPurchasesScope(ctx.principal, member.id);
    const size = pageSize(first);
    return purchasePage(
      await ctx.app.purchaseQueries.list({ memberId: member.id, merchantId }, size, afterCursor(after)),
      size,
    );
  }
}
