import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import {
  assertMerchantScope,
  BadInputError,
  decodeCursor,
  encodeCursor,
  ForbiddenError,
  isPrivileged,
  pageSize,
  requireRole,
  toConnection,
} from '@loyalty/platform';
import { Campaign } from '../campaigns/campaign.type';
import type { CampaignRow } from '../campaigns/campaign.entity';
import type { CampaignsContext } from '../context';
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
    return ctx.app.purchases.record(input, ctx.principal);
  }

  @Mutation(() => RefundResult, { description: 'Full or partial refund; idempotent by refundId.' })
  async refundPurchase(
    @Arg('input') input: RefundInput,
    @Ctx() ctx: CampaignsContext,
  ): Promise<RefundResultView> {
    return ctx.app.refunds.refund(input, ctx.principal);
  }

  @Query(() => [PointAward], { description: 'What a purchase would earn, without recording it.' })
  async previewPurchase(
    @Arg('input') input: PurchaseInput,
    @Ctx() ctx: CampaignsContext,
  ): Promise<AwardView[]> {
    return ctx.app.purchases.preview(input, ctx.principal);
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
    assertMerchantScope(ctx.principal, merchantId);
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
    const principal = requireRole(ctx.principal, 'partner', 'admin', 'service');
    const scope = principal.role === 'partner' ? (merchantId ?? principal.merchantId ?? '') : merchantId;
    if (scope) assertMerchantScope(principal, scope);
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
    const principal = requireRole(ctx.principal, 'member', 'partner', 'admin', 'service');
    if (principal.role === 'member' && principal.sub !== member.id)
      throw new ForbiddenError('A member may only read their own data');
    const merchantId = principal.role === 'partner' ? principal.merchantId : null;
    if (principal.role === 'partner' && !merchantId)
      throw new BadInputError('Partner token lacks merchantId');
    if (!isPrivileged(principal) && principal.role !== 'member' && principal.role !== 'partner')
      throw new ForbiddenError();
    const size = pageSize(first);
    return purchasePage(
      await ctx.app.purchaseQueries.list({ memberId: member.id, merchantId }, size, afterCursor(after)),
      size,
    );
  }
}
