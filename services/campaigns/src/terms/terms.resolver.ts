import { Arg, Authorized, Ctx, Field, InputType, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { CampaignsContext } from '../context';
import { preferredLanguage } from '@loyalty/platform';
import { describeCampaign } from '../campaigns/campaign.rules';
import { ProgramTerms, ValidityChange } from './program-terms.type';
import type { ValidityChangeRow } from './validity-change.entity';

@InputType()
export class ValidityChangeInput {
  @Field({ description: 'ISO-8601 duration or NEVER for points earned from effectiveAt.' })
  validity: string;

  @Field({ description: 'A shortening needs at least 30 days of notice.' })
  effectiveAt: Date;

  @Field()
  reason: string;
}

@Resolver(() => ProgramTerms)
export class TermsResolver {
  @Query(() => ProgramTerms, {
    description: 'The programme terms and the rules in force, in readable form (public).',
  })
  async programTerms(@Ctx() ctx: CampaignsContext) {
    const now = new Date();
    const language = preferredLanguage(ctx.acceptLanguage);
    const timeZone = ctx.app.config.programmeTimeZone;
    const [pointsValidity, rules, campaigns, upcoming] = await Promise.all([
      ctx.app.terms.validityAt(now),
      ctx.app.terms.rules(now, language),
      ctx.app.campaigns.list(false, now),
      ctx.app.terms.upcoming(now),
    ]);
    const changes = upcoming.map((c) => ctx.app.terms.describeChange(c, language, timeZone));
    // One call for every campaign's merchant (the DataLoader batches them).
    const described = await Promise.all(
      campaigns.map(async (c) => {
        const merchantName = c.merchantId ? await ctx.loaders.merchantName.load(c.merchantId) : null;
        const terms = describeCampaign(c, { language, timeZone, merchantName });
        return `${c.name}${language === 'zh-CN' ? '：' : ': '}${terms}`;
      }),
    );
    return {
      pointsValidity,
      expiryWarningDays: ctx.app.terms.warningDays(),
      rules: [...rules, ...changes, ...described],
      campaigns,
      upcomingValidityChanges: upcoming,
    };
  }

  @Authorized('admin')
  @Mutation(() => ValidityChange, {
    description:
      'Schedules a new validity for newly earned points (L6): a shortening needs 30 days of notice; every member is notified.',
  })
  async scheduleValidityChange(
    @Arg('input') input: ValidityChangeInput,
    @Ctx() ctx: CampaignsContext,
  ): Promise<ValidityChangeRow> {
    return ctx.app.terms.scheduleValidityChange(input);
  }

  @Authorized('admin')
  @Query(() => Int, {
    description: 'Ledger postings (earned or reversed points) the ledger has not confirmed yet.',
  })
  async pendingLedgerPostings(@Ctx() ctx: CampaignsContext): Promise<number> {
    return ctx.app.poster.pendingCount();
  }
}
