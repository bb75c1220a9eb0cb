import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  Float,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { preferredLanguage } from '@loyalty/platform';
import type { CampaignsContext } from '../context';
import { MerchantRef } from '../members/member.type';
import type { CampaignRow } from './campaign.entity';
import { CreateCampaignInput, FirstOrderScope, UpdateCampaignInput } from './campaign.input';
import { describeCampaign, toRule } from './campaign.rules';
import { Campaign, CampaignStatus } from './campaign.type';

@Resolver(() => Campaign)
export class CampaignResolver {
  @Query(() => [Campaign], {
    description: 'Campaigns in force or announced (public: R5); includeEnded for all.',
  })
  async campaigns(
    @Arg('includeEnded', () => Boolean, { defaultValue: false }) includeEnded: boolean,
    @Ctx() ctx: CampaignsContext,
  ): Promise<CampaignRow[]> {
    return ctx.app.campaigns.list(includeEnded);
  }

  @Query(() => Campaign, { nullable: true })
  async campaign(@Arg('id', () => ID) id: string, @Ctx() ctx: CampaignsContext): Promise<CampaignRow | null> {
    return ctx.loaders.campaign.load(id);
  }

  @Authorized('admin')
  @Mutation(() => Campaign)
  async createCampaign(
    @Arg('input') input: CreateCampaignInput,
    @Ctx() ctx: CampaignsContext,
  ): Promise<CampaignRow> {
    return ctx.app.campaigns.create(input);
  }

  @Authorized('admin')
  @Mutation(() => Campaign, {
    description: 'Renames, extends or shortens (not into the past) a campaign, or changes its caps.',
  })
  async updateCampaign(
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateCampaignInput,
    @Ctx() ctx: CampaignsContext,
  ): Promise<CampaignRow> {
    return ctx.app.campaigns.update(id, input);
  }

  @Authorized('admin')
  @Mutation(() => Campaign, { description: 'Ends a campaign now.' })
  async endCampaign(@Arg('id', () => ID) id: string, @Ctx() ctx: CampaignsContext): Promise<CampaignRow> {
    return ctx.app.campaigns.end(id);
  }

  @FieldResolver(() => String, {
    description:
      "In the caller's language (Accept-Language: zh-CN or en), naming the merchant, times in the programme's time zone.",
  })
  async terms(@Root() row: CampaignRow, @Ctx() ctx: CampaignsContext): Promise<string> {
    return describeCampaign(row, {
      language: preferredLanguage(ctx.acceptLanguage),
      timeZone: ctx.app.config.programmeTimeZone,
      merchantName: row.merchantId ? await ctx.loaders.merchantName.load(row.merchantId) : null,
    });
  }

  /** Stored in 64 bits; GraphQL's Int is 32, so a larger sum is shown saturated, never as an error. */
  @FieldResolver(() => Int)
  awardedPoints(@Root() row: CampaignRow): number {
    return Math.min(row.awardedPoints, 2 ** 31 - 1);
  }

  @FieldResolver(() => CampaignStatus)
  status(@Root() row: CampaignRow): CampaignStatus {
    const now = Date.now();
    if (row.endsAt && row.endsAt.getTime() <= now) return CampaignStatus.ENDED;
    return row.startsAt.getTime() > now ? CampaignStatus.SCHEDULED : CampaignStatus.ACTIVE;
  }

  @FieldResolver(() => Float, { nullable: true })
  multiplier(@Root() row: CampaignRow): number | null {
    return row.multiplierPct === null ? null : row.multiplierPct / 100;
  }

  @FieldResolver(() => [String], { nullable: true })
  tiers(@Root() row: CampaignRow): string[] | null {
    return toRule(row).tiers;
  }

  @FieldResolver(() => [Int], { nullable: true })
  weekdays(@Root() row: CampaignRow): number[] | null {
    return toRule(row).weekdays;
  }

  @FieldResolver(() => [Int], { nullable: true })
  monthDays(@Root() row: CampaignRow): number[] | null {
    return toRule(row).monthDays;
  }

  @FieldResolver(() => FirstOrderScope, { nullable: true })
  firstOrderOnly(@Root() row: CampaignRow): FirstOrderScope | null {
    return (row.firstOrder as FirstOrderScope | null) ?? null;
  }

  @FieldResolver(() => MerchantRef, { nullable: true })
  merchant(@Root() row: CampaignRow): MerchantRef | null {
    return row.merchantId ? { id: row.merchantId } : null;
  }
}
